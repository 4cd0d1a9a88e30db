package dev.syncwire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds references in a repository's text that point nowhere:
 * <ul>
 *   <li>Markdown links and images to a relative path that does not exist, or to an {@code #anchor} that
 *   is no heading of the target (GitHub's anchor rules);</li>
 *   <li>a file named in prose or code ({@code docs/x.md}, {@code README.md}, {@code SPEC.md}) that is
 *   not in the repository, so a citation of a document kept elsewhere is caught;</li>
 *   <li>a section number ({@code §6} or {@code §6.3}) that {@code docs/protocol.md} does not have. It is
 *   the one document with numbered sections, so every {@code §} refers to it, except right after an RFC
 *   number ({@code RFC 6455 §5.5}).</li>
 * </ul>
 * Links inside fenced code blocks and inline code are not links; external links (with a scheme) are not
 * followed.
 */
final class DocReferences {
  /** One reference that points nowhere. */
  record Problem(String file, int line, String message) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + message;
    }
  }

  static final String PROTOCOL = "docs/protocol.md";

  private static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules", "bench-results");
  private static final Set<String> TEXT_EXTENSIONS = Set.of("md", "java", "proto", "sh", "xml", "json",
      "properties", "yml", "yaml", "txt");
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
  private static final Pattern ATX = Pattern.compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
  private static final Pattern SETEXT = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
  private static final Pattern HTML_ID = Pattern.compile("<[a-zA-Z][^>]*\\s(?:id|name)=\"([^\"]+)\"");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
  private static final Pattern INLINE_LINK = Pattern.compile(
      "!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*(<[^>]*>|[^)\\s]+)(?:\\s+(?:\"[^\"]*\"|'[^']*'|\\([^)]*\\)))?\\s*\\)");
  private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*(<[^>]*>|\\S+)");
  private static final Pattern SCHEME = Pattern.compile("^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)");
  /** A file name that reads like a citation: a path with a directory, or an upper-case document name. */
  private static final Pattern CITED_FILE = Pattern.compile(
      "(?<![\\w./\\\\${}:-])((?:[\\w.-]+/)+[\\w.-]+\\.md|[A-Z][A-Z0-9_-]*\\.md)(?:#([\\w-]+))?(?![\\w/-])");
  private static final Pattern SECTION = Pattern.compile("(?<!RFC \\d{1,5} )§(\\d+(?:\\.\\d+)*)");
  private static final Pattern NUMBERED_HEADING = Pattern.compile("^(\\d+(?:\\.\\d+)*)\\.?(?:\\s|$)");

  private final Path root;
  private final Map<Path, Set<String>> anchors = new HashMap<>();
  private final List<Problem> problems = new ArrayList<>();
  private Set<String> sections;

  private DocReferences(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** Every reference under {@code root} that points nowhere. */
  static List<Problem> check(Path root) {
    return check(root, Set.of());
  }

  /** As {@link #check(Path)}, without reading the files at {@code skipped} (paths from the root). */
  static List<Problem> check(Path root, Set<String> skipped) {
    DocReferences refs = new DocReferences(root);
    for (Path file : refs.textFiles()) {
      if (!skipped.contains(refs.root.relativize(file).toString().replace('\\', '/'))) {
        refs.checkFile(file);
      }
    }
    return refs.problems;
  }

  private List<Path> textFiles() {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
          boolean skipped = !dir.equals(root)
              && (SKIPPED_DIRS.contains(name) || (name.startsWith(".") && !name.equals(".ci")));
          return skipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && isText(file)) {
            files.add(file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(null);
    return files;
  }

  private boolean isText(Path file) {
    Path relative = root.relativize(file);
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String first = relative.getName(0).toString();
    return (dot > 0 && TEXT_EXTENSIONS.contains(name.substring(dot + 1)))
        || (relative.getNameCount() > 1 && (first.equals("scripts") || first.equals(".ci")));
  }

  private void checkFile(Path file) {
    String text = read(file);
    boolean markdown = file.toString().endsWith(".md");
    List<String> lines = text.lines().toList();
    boolean[] inFence = markdown ? fenced(lines) : new boolean[lines.size()];
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String prose = line;
      // Most lines hold no reference at all: look closer only at those that might.
      if (markdown && !inFence[i] && (line.contains("](") || line.contains("]:"))) {
        String withoutCode = blankCodeSpans(line);
        prose = checkLinks(file, i + 1, withoutCode, line);
      }
      if (prose.contains(".md")) {
        checkCitedFiles(file, i + 1, prose);
      }
      if (line.indexOf('§') >= 0) {
        checkSections(file, i + 1, line);
      }
    }
  }

  /** Checks the links of one line; returns the line without their destinations, for the other checks. */
  private String checkLinks(Path file, int lineNumber, String withoutCode, String original) {
    StringBuilder rest = new StringBuilder(original);
    for (Pattern p : List.of(INLINE_LINK, REFERENCE_DEFINITION)) {
      Matcher m = p.matcher(withoutCode);
      while (m.find()) {
        String destination = m.group(1);
        if (destination.startsWith("<")) {
          destination = destination.substring(1, destination.length() - 1);
        }
        checkLink(file, lineNumber, destination);
        for (int c = m.start(1); c < m.end(1); c++) {
          rest.setCharAt(c, ' ');
        }
      }
    }
    return rest.toString();
  }

  private void checkLink(Path file, int lineNumber, String destination) {
    if (SCHEME.matcher(destination).find()) {
      return;
    }
    int hash = destination.indexOf('#');
    String path = URLDecoder.decode(hash < 0 ? destination : destination.substring(0, hash), StandardCharsets.UTF_8);
    String anchor = hash < 0 ? null : destination.substring(hash + 1);
    Path target;
    if (path.isEmpty()) {
      target = file;
    } else {
      target = (path.startsWith("/") ? root.resolve(path.substring(1)) : file.getParent().resolve(path)).normalize();
      if (!target.startsWith(root)) {
        problem(file, lineNumber, "link to " + destination + " leaves the repository");
        return;
      }
      if (!Files.exists(target)) {
        problem(file, lineNumber, "link to " + destination + ": no such file");
        return;
      }
    }
    if (anchor != null && target.toString().endsWith(".md") && !anchorsOf(target).contains(anchor)) {
      problem(file, lineNumber, "link to " + destination + ": no heading " + (path.isEmpty() ? "here" : "in " + path)
          + " has the anchor #" + anchor);
    }
  }

  private void checkCitedFiles(Path file, int lineNumber, String line) {
    Matcher m = CITED_FILE.matcher(line);
    while (m.find()) {
      String cited = m.group(1);
      Path target = resolveCited(file, cited);
      if (target == null) {
        problem(file, lineNumber, "cites " + cited + ", which is not a file of this repository");
      } else if (m.group(2) != null && !anchorsOf(target).contains(m.group(2))) {
        problem(file, lineNumber, "cites " + cited + "#" + m.group(2) + ": no heading there has that anchor");
      }
    }
  }

  /** A cited name is relative to the repository's root or, in Markdown, to the citing file. */
  private Path resolveCited(Path file, String cited) {
    for (Path base : List.of(root, file.getParent())) {
      Path target = base.resolve(cited).normalize();
      if (target.startsWith(root) && existsWithThisCase(target)) {
        return target;
      }
    }
    return null;
  }

  // Case-insensitive file systems would find Readme.md as README.md; GitHub does not.
  private boolean existsWithThisCase(Path target) {
    if (!Files.isRegularFile(target)) {
      return false;
    }
    try (Stream<Path> siblings = Files.list(target.getParent())) {
      String name = target.getFileName().toString();
      return siblings.anyMatch(s -> s.getFileName().toString().equals(name));
    } catch (IOException e) {
      return false;
    }
  }

  private void checkSections(Path file, int lineNumber, String line) {
    Matcher m = SECTION.matcher(line);
    while (m.find()) {
      if (!sections().contains(m.group(1))) {
        problem(file, lineNumber, "§" + m.group(1) + ": " + PROTOCOL + " has no such section");
      }
    }
  }

  private Set<String> sections() {
    if (sections == null) {
      sections = new LinkedHashSet<>();
      Path protocol = root.resolve(PROTOCOL);
      if (Files.exists(protocol)) {
        for (String heading : headings(read(protocol))) {
          Matcher m = NUMBERED_HEADING.matcher(heading);
          if (m.find()) {
            sections.add(m.group(1));
          }
        }
      }
    }
    return sections;
  }

  private Set<String> anchorsOf(Path markdown) {
    return anchors.computeIfAbsent(markdown, f -> {
      String text = read(f);
      Set<String> out = new LinkedHashSet<>();
      Map<String, Integer> seen = new HashMap<>();
      for (String heading : headings(text)) {
        String slug = slug(heading);
        int n = seen.merge(slug, 1, Integer::sum) - 1;
        out.add(n == 0 ? slug : slug + "-" + n);
      }
      Matcher ids = HTML_ID.matcher(text);
      while (ids.find()) {
        out.add(ids.group(1));
      }
      return out;
    });
  }

  /** The text of each heading (ATX and setext), outside fenced code. */
  static List<String> headings(String markdown) {
    List<String> lines = markdown.lines().toList();
    boolean[] inFence = fenced(lines);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (inFence[i]) {
        continue;
      }
      String line = lines.get(i);
      Matcher atx = ATX.matcher(line);
      if (atx.matches()) {
        out.add(atx.group(2) == null ? "" : atx.group(2));
      } else if (i > 0 && !inFence[i - 1] && SETEXT.matcher(line).matches() && isParagraph(lines.get(i - 1))) {
        out.add(lines.get(i - 1).trim());
      }
    }
    return out;
  }

  private static boolean isParagraph(String line) {
    String t = line.trim();
    return !t.isEmpty() && !t.startsWith("#") && !t.startsWith("|") && !t.startsWith(">") && !t.startsWith("- ")
        && !t.startsWith("* ") && !SETEXT.matcher(line).matches();
  }

  /**
   * GitHub's anchor for a heading: the rendered text in lower case, without punctuation except
   * {@code -} and {@code _}, each space a {@code -}. Duplicates get {@code -1}, {@code -2}, ... (done by
   * the caller).
   */
  static String slug(String heading) {
    String text = heading
        .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
        .replaceAll("<[^>]+>", "")
        .replace("`", "")
        .replaceAll("(?<![\\p{L}\\p{N}])[*_]+|[*_]+(?![\\p{L}\\p{N}])", "")
        .replace("*", "");
    return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "").replace(' ', '-');
  }

  private static boolean[] fenced(List<String> lines) {
    boolean[] inFence = new boolean[lines.size()];
    String open = null;
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = FENCE.matcher(lines.get(i));
      if (open == null) {
        if (m.find()) {
          open = m.group(1);
          inFence[i] = true;
        }
      } else {
        inFence[i] = true;
        if (m.find() && m.group(1).charAt(0) == open.charAt(0) && m.group(1).length() >= open.length()
            && lines.get(i).trim().equals(m.group(1))) {
          open = null;
        }
      }
    }
    return inFence;
  }

  private static String blankCodeSpans(String line) {
    StringBuilder out = new StringBuilder(line);
    Matcher m = CODE_SPAN.matcher(line);
    while (m.find()) {
      for (int c = m.start(); c < m.end(); c++) {
        out.setCharAt(c, ' ');
      }
    }
    return out.toString();
  }

  private void problem(Path file, int line, String message) {
    problems.add(new Problem(root.relativize(file).toString(), line, message));
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
