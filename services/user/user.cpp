// SPDX-License-Identifier: MIT
#include "services/user/user.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

namespace colophon {

namespace {

std::string text(const QString &s)
{
    return s.toStdString();
}

Result<QString> stringField(const nlohmann::json &j, const char *key, const QString &field)
{
    if (!j[key].is_string()) {
        return fail(Error::invalid(QStringLiteral("%1 must be a string").arg(field), field));
    }
    return QString::fromStdString(j[key].get<std::string>());
}

} // namespace

bool isUserStatus(const QString &status)
{
    return status == QLatin1String("active") || status == QLatin1String("inactive") ||
           status == QLatin1String("suspended");
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

Result<QString> normaliseEmail(const QString &email)
{
    static const QRegularExpression shape(QStringLiteral(
        R"(^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$)"));
    const QString e = email.trimmed().toLower();
    if (e.size() > 254 || !shape.match(e).hasMatch()) {
        return fail(Error::invalid(QStringLiteral("email is not a valid address"),
                                   QStringLiteral("email")));
    }
    return e;
}

Result<QString> validName(const QString &name, const QString &field)
{
    const QString n = name.trimmed();
    if (n.isEmpty() || n.size() > 100) {
        return fail(
            Error::invalid(QStringLiteral("%1 must be 1 to 100 characters").arg(field), field));
    }
    for (const QChar c : n) {
        if (c.category() == QChar::Other_Control) {
            return fail(Error::invalid(QStringLiteral("%1 contains a control character").arg(field),
                                       field));
        }
    }
    return n;
}

nlohmann::json UserPreferences::toJson() const
{
    return {{"language", text(language)},
            {"timezone", text(timezone)},
            {"emailNotifications", emailNotifications},
            {"pushNotifications", pushNotifications}};
}

Result<void> UserPreferences::merge(const nlohmann::json &j)
{
    if (!j.is_object()) {
        return fail(Error::invalid(QStringLiteral("preferences must be an object"),
                                   QStringLiteral("preferences")));
    }
    UserPreferences next = *this;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const QString field = QStringLiteral("preferences.") + QString::fromStdString(it.key());
        if (it.key() == "language") {
            static const QRegularExpression bcp47(
                QStringLiteral("^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$"));
            auto v = stringField(j, "language", field);
            if (!v || !bcp47.match(*v).hasMatch()) {
                return fail(Error::invalid(
                    QStringLiteral("language must be a language tag such as en or pt-BR"), field));
            }
            next.language = *v;
        } else if (it.key() == "timezone") {
            auto v = stringField(j, "timezone", field);
            if (!v || !QTimeZone::isTimeZoneIdAvailable(v->toUtf8())) {
                return fail(Error::invalid(
                    QStringLiteral("timezone must be an IANA time zone such as Europe/Paris"),
                    field));
            }
            next.timezone = *v;
        } else if (it.key() == "emailNotifications" || it.key() == "pushNotifications") {
            if (!it.value().is_boolean()) {
                return fail(
                    Error::invalid(QStringLiteral("%1 must be true or false").arg(field), field));
            }
            (it.key() == "emailNotifications" ? next.emailNotifications : next.pushNotifications) =
                it.value().get<bool>();
        } else {
            return fail(Error::invalid(QStringLiteral("%1 is not a preference").arg(field), field));
        }
    }
    *this = next;
    return {};
}

UserPreferences UserPreferences::fromStored(const nlohmann::json &j)
{
    UserPreferences p;
    if (j.is_object()) {
        p.language = QString::fromStdString(j.value("language", p.language.toStdString()));
        p.timezone = QString::fromStdString(j.value("timezone", p.timezone.toStdString()));
        p.emailNotifications = j.value("emailNotifications", p.emailNotifications);
        p.pushNotifications = j.value("pushNotifications", p.pushNotifications);
    }
    return p;
}

nlohmann::json User::toJson() const
{
    nlohmann::json j = {{"id", text(id)},
                        {"email", text(email)},
                        {"firstName", text(firstName)},
                        {"lastName", text(lastName)},
                        {"role", text(roleName(role))},
                        {"status", text(status)},
                        {"preferences", preferences.toJson()},
                        {"mfaEnabled", mfaEnabled},
                        {"createdAt", text(isoTime(createdAtMs))},
                        {"updatedAt", text(isoTime(updatedAtMs))}};
    if (deletedAtMs > 0) {
        j["deletedAt"] = text(isoTime(deletedAtMs));
    }
    return j;
}

nlohmann::json TokenPair::toJson() const
{
    return {{"accessToken", text(accessToken)},
            {"refreshToken", text(refreshToken)},
            {"tokenType", "Bearer"},
            {"expiresIn", expiresIn}};
}

nlohmann::json Session::toJson(const QString &currentSessionId) const
{
    return {{"id", text(id)},
            {"ip", text(address)},
            {"userAgent", text(userAgent)},
            {"createdAt", text(isoTime(createdAtMs))},
            {"lastUsedAt", text(isoTime(lastUsedAtMs))},
            {"expiresAt", text(isoTime(expiresAtMs))},
            {"current", id == currentSessionId}};
}

} // namespace colophon
