// SPDX-License-Identifier: MIT
// The user service's OAuth 2.0 endpoints for the native clients: the
// authorization code grant (RFC 6749 §4.1) with PKCE S256 (RFC 7636) and
// loopback redirects (RFC 8252 §7.3). GET /oauth/authorize answers a small,
// self-contained sign-in page; POST /oauth/authorize signs in through
// UserService (password, then the TOTP or recovery code when MFA is on) and
// redirects with a one-time code; POST /oauth/token redeems the code, or
// rotates a refresh token, for the same tokens as /api/v1/auth/login.
//
// Invariants: only the known public clients (colophon-console, colophonctl)
// and only http://127.0.0.1:PORT/… or http://[::1]:PORT/… redirects are
// served; a request whose client or redirect is not trusted gets an error
// page, never a redirect; plain PKCE is refused; every echoed value is
// HTML-escaped; nothing is cached.
#pragma once

namespace colophon {

class Router;
class UserService;

void registerOAuthRoutes(Router &router, UserService &users);

} // namespace colophon
