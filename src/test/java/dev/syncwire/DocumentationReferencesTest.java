package dev.syncwire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Links, anchors, cited files and {@code docs/protocol.md} section numbers in the docs, the README and the
 * code all point somewhere. The checker itself is tried first on small trees with known mistakes.
 */
class DocumentationReferencesTest {
  private static final String PROTOCOL = """
      # Protocol

      ## 1. Scope

      ### 1.1 Terms

      ## 3. Frames

      ### 3.5 Reply order

      ## 11. HTTP transports (SSE and long-poll)
      """;

  @TempDir
  Path tree;

  @Test
  void everyReferenceInThisRepositoryPointsSomewhere() {
    // The checker and this test hold deliberate mistakes, to show that they are found.
    List<DocReferences.Problem> problems = DocReferences.check(Path.of("."), Set.of(
        "src/test/java/dev/syncwire/DocReferences.java", "src/test/java/dev/syncwire/DocumentationReferencesTest.java"));
    assertEquals("", problems.stream().map(Object::toString).collect(Collectors.joining("\n")));
  }

  private List<String> problemsWith(String path, String content) throws IOException {
    write("docs/protocol.md", PROTOCOL);
    write(path, content);
    return DocReferences.check(tree).stream().map(Object::toString).toList();
  }

  private void write(String path, String content) throws IOException {
    Path file = tree.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Test
  void aRelativeLinkToAMissingFileIsReported() throws IOException {
    write("docs/cluster.md", "# Cluster\n");
    assertEquals(List.of("README.md:3: link to docs/clusters.md: no such file"),
        problemsWith("README.md", "# Readme\n\nSee [the cluster](docs/clusters.md) and [this](docs/cluster.md).\n"));
  }

  @Test
  void linksResolveFromTheirOwnFileAndMayNotLeaveTheRepository() throws IOException {
    write("docs/cluster.md", "# Cluster\n");
    assertEquals(List.of("docs/architecture.md:1: link to ../../elsewhere.md leaves the repository",
            "docs/architecture.md:2: link to docs/cluster.md: no such file"),
        problemsWith("docs/architecture.md", "[a](cluster.md) [b](../docs/protocol.md) [c](/docs/cluster.md) "
            + "[d](../../elsewhere.md)\n[e](docs/cluster.md)\n"));
  }

  @Test
  void anAnchorMustBeTheGitHubAnchorOfAHeadingOfItsTarget() throws IOException {
    List<String> problems = problemsWith("README.md", """
        # Read me

        ## Two commands

        ## Two commands

        [ok](docs/protocol.md#35-reply-order) [ok](docs/protocol.md#11-http-transports-sse-and-long-poll)
        [ok](#two-commands) [ok](#two-commands-1) [ok](#read-me)
        [broken](docs/protocol.md#3-5-reply-order) [broken](#two-commands-2) [broken](#Read-me)
        """);
    assertEquals(List.of(
        "README.md:9: link to docs/protocol.md#3-5-reply-order: no heading in docs/protocol.md has the anchor #3-5-reply-order",
        "README.md:9: link to #two-commands-2: no heading here has the anchor #two-commands-2",
        "README.md:9: link to #Read-me: no heading here has the anchor #Read-me"), problems);
  }

  @Test
  void githubAnchorsDropPunctuationAndMarkupAndKeepHyphensAndUnderscores() {
    assertEquals("35-reply-order", DocReferences.slug("3.5 Reply order"));
    assertEquals("syncwire-alone-recovery-cluster-publish-throughput-http-transports",
        DocReferences.slug("Syncwire alone: recovery, cluster, publish throughput, HTTP transports"));
    assertEquals("the-snake_case-key-and-code", DocReferences.slug("The `snake_case` key *and* [code](x.md)"));
    assertEquals("a--b", DocReferences.slug("A & B"));
    assertEquals(List.of("Title", "Setext", "Last"),
        DocReferences.headings("# Title\n\n```\n# not a heading\n```\nSetext\n------\n\n## Last ##\n"));
  }

  @Test
  void linksInCodeAndExternalLinksAreNotFollowed() throws IOException {
    assertEquals(List.of(), problemsWith("README.md", """
        # Read me

        ```md
        [in a fence](missing.md)
        ```
        `[inline code](missing.md)` [web](https://example.com/missing.md) [mail](mailto:a@b.c)
        """));
  }

  @Test
  void aSectionNumberThatDocsProtocolMdDoesNotHaveIsReportedInDocsAndCode() throws IOException {
    write("src/main/java/A.java", "/** See docs/protocol.md §3.5 and §3-§4, and RFC 6455 §5.5.3. */\nclass A {}\n");
    assertEquals(List.of("README.md:1: §9.9: docs/protocol.md has no such section",
            "src/main/java/A.java:1: §4: docs/protocol.md has no such section"),
        problemsWith("README.md", "[protocol](docs/protocol.md) §1.1, §11 and §9.9.\n"));
  }

  @Test
  void aCitationOfAFileOutsideTheRepositoryIsReported() throws IOException {
    write("src/main/proto/frames.proto", "// The frames of SPEC.md §3, see docs/protocol.md#1-scope.\n");
    write("src/main/java/B.java", "/** As docs/protocol.md says; see docs/protocol.md#9-gone. */\nclass B {}\n");
    assertEquals(List.of("docs/cluster.md:1: cites SPEC.md, which is not a file of this repository",
            "src/main/java/B.java:1: cites docs/protocol.md#9-gone: no heading there has that anchor",
            "src/main/proto/frames.proto:1: cites SPEC.md, which is not a file of this repository"),
        problemsWith("docs/cluster.md", "As `SPEC.md` says, and [protocol.md](protocol.md).\n"));
  }
}
