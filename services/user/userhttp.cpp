// SPDX-License-Identifier: MIT
#include "services/user/userhttp.h"

#include "backend/http/pagination.h"
#include "backend/http/problem.h"
#include "backend/http/requestbody.h"
#include "backend/http/router.h"
#include "services/user/useroauth.h"
#include "services/user/userservice.h"

#include <set>

namespace colophon {

namespace {

ClientInfo clientOf(const HttpRequest &req)
{
    return {QString::fromStdString(req.clientAddress),
            QString::fromStdString(std::string(req.header("User-Agent")))};
}

HttpResponse userResponse(const Result<User> &user, int status = 200)
{
    if (!user) {
        return problemResponse(user.error());
    }
    return HttpResponse::json(status, user->toJson());
}

// A 200 answer carrying secrets (tokens, codes): never cached.
HttpResponse secretJson(const nlohmann::json &body)
{
    HttpResponse res = HttpResponse::json(200, body);
    res.setHeader("Cache-Control", "no-store");
    return res;
}

// Tokens or an MFA step; a refusal as 401 (with the Bearer challenge) or 429.
template <typename T> HttpResponse signInResponse(const Result<T> &result)
{
    return result ? secretJson(result->toJson()) : unauthorizedResponse(result.error());
}

HttpResponse codesResponse(const Result<QStringList> &codes)
{
    if (!codes) {
        return problemResponse(codes.error());
    }
    nlohmann::json list = nlohmann::json::array();
    for (const QString &c : *codes) {
        list.push_back(c.toStdString());
    }
    return secretJson({{"recoveryCodes", list}});
}

std::string userEtag(const User &user)
{
    return makeEtag(std::to_string(user.updatedAtMs));
}

// One user, with its ETag.
HttpResponse adminUserResponse(const Result<User> &user, int status = 200)
{
    HttpResponse res = userResponse(user, status);
    if (user) {
        res.setHeader("ETag", userEtag(*user));
    }
    return res;
}

Result<UserQuery> userQueryOf(const HttpRequest &req)
{
    auto page = parsePageRequest(req);
    if (!page) {
        return fail(page.error());
    }
    UserQuery query;
    query.limit = page->limit;
    query.offset = page->offset();
    if (auto role = req.query("role")) {
        auto parsed = parseRole(QString::fromStdString(*role));
        if (!parsed) {
            return fail(
                Error::invalid(QStringLiteral("role must be admin, editor, creator or consumer"),
                               QStringLiteral("role")));
        }
        query.role = parsed;
    }
    query.status = QString::fromStdString(req.query("status").value_or(std::string()));
    query.text = QString::fromStdString(req.query("q").value_or(std::string())).trimmed();
    QString sort = QString::fromStdString(req.query("sort").value_or(std::string()));
    if (sort.startsWith(u'-')) {
        query.descending = true;
        sort.remove(0, 1);
    }
    query.sortField = sort;
    const std::string deleted = req.query("includeDeleted").value_or("false");
    if (deleted != "true" && deleted != "false") {
        return fail(Error::invalid(QStringLiteral("includeDeleted must be true or false"),
                                   QStringLiteral("includeDeleted")));
    }
    query.includeDeleted = deleted == "true";
    return query;
}

// Refuses a caller whose role may not do this at all before reading their
// input, so a non-admin learns nothing from validation. The service checks
// again: this is not the only check.
std::optional<HttpResponse> refuseUnless(const Actor &actor, Action action)
{
    if (auto allowed = authorize(actor.role, action); !allowed) {
        return problemResponse(allowed.error());
    }
    return std::nullopt;
}

HttpResponse sessionsResponse(const Result<std::vector<Session>> &sessions,
                              const QString &currentSessionId)
{
    if (!sessions) {
        return problemResponse(sessions.error());
    }
    nlohmann::json items = nlohmann::json::array();
    for (const Session &s : *sessions) {
        items.push_back(s.toJson(currentSessionId));
    }
    return HttpResponse::json(200, {{"items", items}});
}

HttpResponse noContent(const Result<void> &done)
{
    return done ? HttpResponse::empty(204) : unauthorizedResponse(done.error());
}

} // namespace

HttpResponse unauthorizedResponse(const Error &e)
{
    HttpResponse res = problemResponse(e);
    if (res.status == 401) {
        res.setHeader("WWW-Authenticate", "Bearer");
    }
    return res;
}

Result<Actor> bearerActor(UserService &users, HttpRequest &request)
{
    const std::string_view header = request.header("Authorization");
    if (header.size() <= 7 || !iequals(header.substr(0, 7), "Bearer ")) {
        return fail(Error{
            ErrorCode::Unauthenticated, QStringLiteral("a bearer access token is required"), {}});
    }
    auto actor = users.authenticate(
        QString::fromUtf8(header.substr(7).data(), int(header.size() - 7)).trimmed());
    if (actor) {
        request.userId = actor->userId.toStdString();
    }
    return actor;
}

namespace {

void registerMfaRoutes(Router &router, UserService &users)
{
    router.add(
        HttpMethod::Post, "/api/v1/auth/mfa/verify", RouteClass::Auth, [&users](HttpRequest &req) {
            QString token;
            QString code;
            if (auto refused = readStringBody(req, {{"mfaToken", &token}, {"code", &code}})) {
                return *refused;
            }
            return signInResponse(users.verifyMfa(token, code, clientOf(req)));
        });

    router.add(HttpMethod::Get, "/api/v1/auth/mfa", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto status = users.mfaStatus(actor);
            return status ? HttpResponse::json(200, status->toJson())
                          : problemResponse(status.error());
        });
    });

    router.add(HttpMethod::Post, "/api/v1/auth/mfa/totp", RouteClass::Auth,
               [&users](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       auto enrolment = users.enrolTotp(actor);
                       return enrolment ? secretJson(enrolment->toJson())
                                        : problemResponse(enrolment.error());
                   });
               });

    // {code} in, ten recovery codes out.
    using CodesCall = Result<QStringList> (UserService::*)(const Actor &, const QString &);
    for (const auto &[path, call] :
         {std::pair<const char *, CodesCall>{"/api/v1/auth/mfa/totp/confirm",
                                             &UserService::confirmTotp},
          std::pair<const char *, CodesCall>{"/api/v1/auth/mfa/recovery-codes",
                                             &UserService::regenerateRecoveryCodes}}) {
        router.add(HttpMethod::Post, path, RouteClass::Auth, [&users, call](HttpRequest &req) {
            return withActor(users, req, [&](const Actor &actor) {
                QString code;
                if (auto refused = readStringBody(req, {{"code", &code}})) {
                    return *refused;
                }
                return codesResponse((users.*call)(actor, code));
            });
        });
    }

    router.add(HttpMethod::Post, "/api/v1/auth/mfa/totp/disable", RouteClass::Auth,
               RouteWork::HashesPassword, [&users](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       QString password;
                       QString code;
                       if (auto refused =
                               readStringBody(req, {{"password", &password}, {"code", &code}})) {
                           return *refused;
                       }
                       auto done = users.disableTotp(actor, password, code);
                       return done ? HttpResponse::empty(204) : problemResponse(done.error());
                   });
               });
}

void registerAdminRoutes(Router &router, UserService &users)
{
    router.add(HttpMethod::Post, "/api/v1/users", RouteClass::Write, RouteWork::HashesPassword,
               [&users](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       if (auto refused = refuseUnless(actor, Action::UserCreate)) {
                           return *refused;
                       }
                       nlohmann::json body;
                       if (auto refused = readObject(
                               req, {"email", "password", "firstName", "lastName", "role"}, body)) {
                           return *refused;
                       }
                       NewUser input;
                       QString role;
                       if (auto refused = readStrings(body, true,
                                                      {{"email", &input.email},
                                                       {"password", &input.password},
                                                       {"firstName", &input.firstName},
                                                       {"lastName", &input.lastName},
                                                       {"role", &role}})) {
                           return *refused;
                       }
                       auto parsed = parseRole(role);
                       if (!parsed) {
                           return problemResponse(Error::invalid(
                               QStringLiteral("role must be admin, editor, creator or consumer"),
                               QStringLiteral("role")));
                       }
                       input.role = *parsed;
                       auto created = users.createUser(actor, input);
                       HttpResponse res = adminUserResponse(created, 201);
                       if (created) {
                           res.setHeader("Location", "/api/v1/users/" + created->id.toStdString());
                       }
                       return res;
                   });
               });

    router.add(HttpMethod::Get, "/api/v1/users", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            if (auto refused = refuseUnless(actor, Action::UserList)) {
                return *refused;
            }
            auto query = userQueryOf(req);
            if (!query) {
                return problemResponse(query.error());
            }
            auto page = users.listUsers(actor, *query);
            if (!page) {
                return problemResponse(page.error());
            }
            nlohmann::json items = nlohmann::json::array();
            for (const User &u : page->items) {
                items.push_back(u.toJson());
            }
            const PageRequest pr{static_cast<int>(query->offset / query->limit) + 1, query->limit};
            return HttpResponse::json(200, {{"items", items},
                                            {"pagination", paginationJson(pr, page->total)},
                                            {"_links", pageLinks(req, pr, page->total)}});
        });
    });

    router.add(HttpMethod::Get, "/api/v1/users/{id:uuid}", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            return adminUserResponse(users.user(actor, QString::fromStdString(req.param("id"))));
        });
    });

    router.add(HttpMethod::Patch, "/api/v1/users/{id:uuid}", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            if (auto refused = refuseUnless(actor, Action::UserUpdate)) {
                return *refused;
            }
            const QString id = QString::fromStdString(req.param("id"));
            nlohmann::json body;
            if (auto refused = readObject(req, {"firstName", "lastName", "role", "status"}, body)) {
                return *refused;
            }
            UserChange change;
            for (auto [key, target] :
                 {std::pair{"firstName", &change.firstName},
                  std::pair{"lastName", &change.lastName}, std::pair{"status", &change.status}}) {
                if (body.contains(key)) {
                    auto value = stringField(body, key);
                    if (!value) {
                        return problemResponse(value.error());
                    }
                    *target = *value;
                }
            }
            if (body.contains("role")) {
                auto role = stringField(body, "role");
                auto parsed = role ? parseRole(*role) : std::nullopt;
                if (!parsed) {
                    return problemResponse(Error::invalid(
                        QStringLiteral("role must be admin, editor, creator or consumer"),
                        QStringLiteral("role")));
                }
                change.role = parsed;
            }
            if (!req.header("If-Match").empty()) {
                auto current = users.user(actor, id);
                if (!current) {
                    return problemResponse(current.error());
                }
                if (auto matches = checkIfMatch(req, userEtag(*current)); !matches) {
                    return problemResponse(matches.error());
                }
                change.expectedUpdatedAtMs = current->updatedAtMs;
            }
            return adminUserResponse(users.updateUser(actor, id, change));
        });
    });

    // Deleting an account hashes a random password into it.
    router.add(HttpMethod::Delete, "/api/v1/users/{id:uuid}", RouteClass::Write,
               RouteWork::HashesPassword, [&users](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       auto done = users.deleteUser(actor, QString::fromStdString(req.param("id")));
                       return done ? HttpResponse::empty(204) : problemResponse(done.error());
                   });
               });

    router.add(HttpMethod::Get, "/api/v1/users/{id:uuid}/sessions", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            return sessionsResponse(
                users.userSessions(actor, QString::fromStdString(req.param("id"))),
                actor.sessionId);
        });
    });

    router.add(HttpMethod::Delete, "/api/v1/users/{id:uuid}/sessions", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto revoked = users.revokeUserSessions(actor, QString::fromStdString(req.param("id")));
            return revoked ? HttpResponse::json(200, {{"revoked", *revoked}})
                           : problemResponse(revoked.error());
        });
    });

    router.add(HttpMethod::Delete, "/api/v1/users/{id:uuid}/mfa", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto done = users.resetMfa(actor, QString::fromStdString(req.param("id")));
            return done ? HttpResponse::empty(204) : problemResponse(done.error());
        });
    });

    router.add(HttpMethod::Get, "/api/v1/me/export", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto exported = users.exportMe(actor);
            if (!exported) {
                return problemResponse(exported.error());
            }
            HttpResponse res = secretJson(*exported);
            res.setHeader("Content-Disposition", "attachment; filename=\"colophon-export.json\"");
            return res;
        });
    });
}

} // namespace

void registerUserRoutes(Router &router, UserService &users)
{
    router.add(HttpMethod::Post, "/api/v1/auth/register", RouteClass::Auth,
               RouteWork::HashesPassword, [&users](HttpRequest &req) {
                   nlohmann::json body;
                   if (auto refused =
                           readObject(req, {"email", "password", "firstName", "lastName"}, body)) {
                       return *refused;
                   }
                   NewUser input;
                   for (auto [key, target] :
                        {std::pair{"email", &input.email}, std::pair{"password", &input.password},
                         std::pair{"firstName", &input.firstName},
                         std::pair{"lastName", &input.lastName}}) {
                       auto value = stringField(body, key);
                       if (!value) {
                           return problemResponse(value.error());
                       }
                       *target = *value;
                   }
                   HttpResponse res = userResponse(users.registerUser(input), 201);
                   if (res.status == 201) {
                       res.setHeader("Location", "/api/v1/me");
                   }
                   return res;
               });

    router.add(HttpMethod::Post, "/api/v1/auth/login", RouteClass::Auth, RouteWork::HashesPassword,
               [&users](HttpRequest &req) {
                   nlohmann::json body;
                   if (auto refused = readObject(req, {"email", "password"}, body)) {
                       return *refused;
                   }
                   auto email = stringField(body, "email");
                   auto password = stringField(body, "password");
                   if (!email || !password) {
                       return problemResponse(email ? password.error() : email.error());
                   }
                   return signInResponse(users.login(*email, *password, clientOf(req)));
               });

    router.add(HttpMethod::Post, "/api/v1/auth/refresh", RouteClass::Auth,
               [&users](HttpRequest &req) {
                   nlohmann::json body;
                   if (auto refused = readObject(req, {"refreshToken"}, body)) {
                       return *refused;
                   }
                   auto token = stringField(body, "refreshToken");
                   if (!token) {
                       return problemResponse(token.error());
                   }
                   return signInResponse(users.refresh(*token, clientOf(req)));
               });

    router.add(
        HttpMethod::Post, "/api/v1/auth/logout", RouteClass::Auth, [&users](HttpRequest &req) {
            return withActor(users, req,
                             [&](const Actor &actor) { return noContent(users.logout(actor)); });
        });

    router.add(HttpMethod::Get, "/api/v1/me", [&users](HttpRequest &req) {
        return withActor(users, req,
                         [&](const Actor &actor) { return userResponse(users.me(actor)); });
    });

    router.add(HttpMethod::Patch, "/api/v1/me", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            nlohmann::json body;
            if (auto refused = readObject(req, {"firstName", "lastName", "preferences"}, body)) {
                return *refused;
            }
            ProfileChange change;
            for (auto [key, target] : {std::pair{"firstName", &change.firstName},
                                       std::pair{"lastName", &change.lastName}}) {
                if (body.contains(key)) {
                    auto value = stringField(body, key);
                    if (!value) {
                        return problemResponse(value.error());
                    }
                    *target = *value;
                }
            }
            if (body.contains("preferences")) {
                change.preferences = body["preferences"];
            }
            return userResponse(users.updateMe(actor, change));
        });
    });

    router.add(
        HttpMethod::Post, "/api/v1/me/password", RouteClass::Auth, RouteWork::HashesPassword,
        [&users](HttpRequest &req) {
            return withActor(users, req, [&](const Actor &actor) {
                nlohmann::json body;
                if (auto refused = readObject(req, {"currentPassword", "newPassword"}, body)) {
                    return *refused;
                }
                auto current = stringField(body, "currentPassword");
                auto next = stringField(body, "newPassword");
                if (!current || !next) {
                    return problemResponse(current ? next.error() : current.error());
                }
                auto done = users.changePassword(actor, *current, *next);
                return done ? HttpResponse::empty(204) : problemResponse(done.error());
            });
        });

    router.add(HttpMethod::Get, "/api/v1/me/sessions", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            return sessionsResponse(users.sessions(actor), actor.sessionId);
        });
    });

    router.add(HttpMethod::Delete, "/api/v1/me/sessions/{id:uuid}", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto done = users.revokeSession(actor, QString::fromStdString(req.param("id")));
            return done ? HttpResponse::empty(204) : problemResponse(done.error());
        });
    });

    registerMfaRoutes(router, users);
    registerAdminRoutes(router, users);
    registerOAuthRoutes(router, users);
}

} // namespace colophon
