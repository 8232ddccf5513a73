// SPDX-License-Identifier: MIT
#include "services/user/userhttp.h"

#include "backend/http/problem.h"
#include "backend/http/router.h"
#include "services/user/userservice.h"

#include <set>

namespace colophon {

namespace {

// The body as a JSON object with only the allowed keys, or the answer to
// send instead: 400 for malformed JSON, 422 naming an unexpected field.
std::optional<HttpResponse> readObject(const HttpRequest &req, const std::set<std::string> &allowed,
                                       nlohmann::json &out)
{
    auto body = req.jsonBody();
    if (!body || !body->is_object()) {
        return problemResponse(400, "the request body must be a JSON object",
                               {{"code", "invalid-json"}});
    }
    for (auto it = body->begin(); it != body->end(); ++it) {
        if (!allowed.contains(it.key())) {
            return problemResponse(Error::invalid(
                QStringLiteral("%1 cannot be set here").arg(QString::fromStdString(it.key())),
                QString::fromStdString(it.key())));
        }
    }
    out = std::move(*body);
    return std::nullopt;
}

Result<QString> stringField(const nlohmann::json &j, const char *key, bool required = true)
{
    const QString field = QLatin1String(key);
    if (!j.contains(key)) {
        if (required) {
            return fail(Error::invalid(QStringLiteral("%1 is required").arg(field), field));
        }
        return QString();
    }
    if (!j[key].is_string()) {
        return fail(Error::invalid(QStringLiteral("%1 must be a string").arg(field), field));
    }
    return QString::fromStdString(j[key].get<std::string>());
}

ClientInfo clientOf(const HttpRequest &req)
{
    return {QString::fromStdString(req.clientAddress),
            QString::fromStdString(std::string(req.header("User-Agent")))};
}

HttpResponse unauthorized(const Error &e)
{
    HttpResponse res = problemResponse(e);
    if (res.status == 401) {
        res.setHeader("WWW-Authenticate", "Bearer");
    }
    return res;
}

// Runs fn with the bearer's actor, or answers 401.
template <typename F> HttpResponse withActor(UserService &users, HttpRequest &req, F &&fn)
{
    auto actor = bearerActor(users, req);
    if (!actor) {
        return unauthorized(actor.error());
    }
    return fn(*actor);
}

HttpResponse userResponse(const Result<User> &user, int status = 200)
{
    if (!user) {
        return problemResponse(user.error());
    }
    return HttpResponse::json(status, user->toJson());
}

HttpResponse tokenResponse(const Result<TokenPair> &tokens)
{
    if (!tokens) {
        return unauthorized(tokens.error());
    }
    HttpResponse res = HttpResponse::json(200, tokens->toJson());
    res.setHeader("Cache-Control", "no-store");
    return res;
}

HttpResponse noContent(const Result<void> &done)
{
    return done ? HttpResponse::empty(204) : unauthorized(done.error());
}

} // namespace

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

void registerUserRoutes(Router &router, UserService &users)
{
    router.add(HttpMethod::Post, "/api/v1/auth/register", RouteClass::Auth,
               [&users](HttpRequest &req) {
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

    router.add(HttpMethod::Post, "/api/v1/auth/login", RouteClass::Auth,
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
                   return tokenResponse(users.login(*email, *password, clientOf(req)));
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
                   return tokenResponse(users.refresh(*token, clientOf(req)));
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
        HttpMethod::Post, "/api/v1/me/password", RouteClass::Auth, [&users](HttpRequest &req) {
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
            auto sessions = users.sessions(actor);
            if (!sessions) {
                return problemResponse(sessions.error());
            }
            nlohmann::json items = nlohmann::json::array();
            for (const Session &s : *sessions) {
                items.push_back(s.toJson(actor.sessionId));
            }
            return HttpResponse::json(200, {{"items", items}});
        });
    });

    router.add(HttpMethod::Delete, "/api/v1/me/sessions/{id:uuid}", [&users](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto done = users.revokeSession(actor, QString::fromStdString(req.param("id")));
            return done ? HttpResponse::empty(204) : problemResponse(done.error());
        });
    });
}

} // namespace colophon
