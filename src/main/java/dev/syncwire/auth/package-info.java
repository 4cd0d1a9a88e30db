/**
 * Who a session is and what it may do: JWT verification per tenant (HS/RS/ES keys through
 * vertx-auth-jwt), anonymous access for tenants that allow it, and channel permission patterns.
 */
package dev.syncwire.auth;
