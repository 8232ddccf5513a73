// SPDX-License-Identifier: MIT
#include "backend/http/requestbody.h"

#include "backend/http/problem.h"

namespace colophon {

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

Result<QString> stringField(const nlohmann::json &j, const char *key, bool required)
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

// Reads the named string fields of body into targets: absent ones stay unset
// unless required.
std::optional<HttpResponse>
readStrings(const nlohmann::json &body, bool required,
            std::initializer_list<std::pair<const char *, QString *>> fields)
{
    for (auto [key, target] : fields) {
        auto value = stringField(body, key, required);
        if (!value) {
            return problemResponse(value.error());
        }
        *target = *value;
    }
    return std::nullopt;
}

// A body of exactly these string fields, all required, read into their targets.
std::optional<HttpResponse>
readStringBody(const HttpRequest &req,
               std::initializer_list<std::pair<const char *, QString *>> fields)
{
    std::set<std::string> allowed;
    for (const auto &field : fields) {
        allowed.insert(field.first);
    }
    nlohmann::json body;
    if (auto refused = readObject(req, allowed, body)) {
        return refused;
    }
    return readStrings(body, true, fields);
}

} // namespace colophon
