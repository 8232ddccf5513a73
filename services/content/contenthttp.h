// SPDX-License-Identifier: MIT
// The content service's REST routes: /api/v1/content/... (signed in) and
// /api/v1/public/content/... (anyone; published items only).
#pragma once

namespace colophon {

class ContentService;
class IdempotencyStore;
class Router;
class UserService;

void registerContentRoutes(Router &router, ContentService &content, UserService &users,
                           IdempotencyStore &idempotency);

} // namespace colophon
