// SPDX-License-Identifier: MIT
// The users pages' wording: one place for labels, times and activity lines.
#include "ui/users/userformat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QStringList>
#include <QTimeZone>

namespace colophon::userui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("colophon::UsersPage", text);
}

QString jsonText(const nlohmann::json &j, const char *key)
{
    if (j.is_object() && j.contains(key) && j[key].is_string()) {
        return QString::fromStdString(j[key].get<std::string>());
    }
    return {};
}

QString quoted(const QString &title)
{
    return title.isEmpty() ? tr("an item") : QStringLiteral("“%1”").arg(title);
}

QString streamId(const QString &stream, const QString &prefix)
{
    return stream.startsWith(prefix) ? stream.mid(prefix.size()) : QString();
}

QString person(const QString &id, const ActivityNames &names)
{
    if (id.isEmpty()) {
        return tr("the system");
    }
    const QString email = names.people.value(id);
    return email.isEmpty() ? tr("account %1").arg(id.left(8)) : email;
}

QString sessionEnded(const QString &reason)
{
    if (reason == QLatin1String("logout")) {
        return tr("signed out");
    }
    if (reason == QLatin1String("revoked-by-user")) {
        return tr("signed out one of their sessions");
    }
    if (reason == QLatin1String("revoked-by-admin")) {
        return tr("a session was ended by an admin");
    }
    if (reason == QLatin1String("password-changed")) {
        return tr("a session ended because the password changed");
    }
    if (reason.startsWith(QLatin1String("account-"))) {
        return tr("a session ended because the account became %1").arg(reason.mid(8));
    }
    return reason.isEmpty() ? tr("a session ended") : tr("a session ended (%1)").arg(reason);
}

QStringList userChanges(const nlohmann::json &payload)
{
    QStringList parts;
    const nlohmann::json changes = payload.contains("changes") && payload["changes"].is_object()
                                       ? payload["changes"]
                                       : nlohmann::json::object();
    if (changes.contains("role")) {
        parts << tr("role changed to %1").arg(jsonText(changes, "role"));
    }
    if (changes.contains("status")) {
        parts << tr("status changed to %1").arg(jsonText(changes, "status"));
    }
    if (changes.contains("firstName") || changes.contains("lastName")) {
        parts << tr("name changed");
    }
    if (changes.contains("preferences")) {
        parts << tr("preferences changed");
    }
    if (changes.contains("password")) {
        parts << tr("password changed");
    }
    if (changes.contains("mfaEnabled") && changes["mfaEnabled"].is_boolean()) {
        if (changes["mfaEnabled"].get<bool>()) {
            parts << tr("two-step sign-in turned on");
        } else if (jsonText(payload, "reason") == QLatin1String("reset-by-admin")) {
            parts << tr("two-step sign-in reset");
        } else {
            parts << tr("two-step sign-in turned off");
        }
    }
    if (parts.isEmpty()) {
        parts << tr("account updated");
    }
    return parts;
}

// "ContentLinked" -> "content linked", for events without their own wording.
QString spacedType(const QString &type)
{
    QString out;
    for (const QChar c : type) {
        if (c.isUpper() && !out.isEmpty()) {
            out += QLatin1Char(' ');
        }
        out += c.toLower();
    }
    return out;
}

} // namespace

QString roleLabel(Role role)
{
    switch (role) {
    case Role::Admin:
        return tr("Admin");
    case Role::Editor:
        return tr("Editor");
    case Role::Creator:
        return tr("Creator");
    case Role::Consumer:
        return tr("Consumer");
    }
    return roleName(role);
}

QString statusLabel(const QString &status)
{
    if (status == QLatin1String("active")) {
        return tr("Active");
    }
    if (status == QLatin1String("inactive")) {
        return tr("Inactive");
    }
    if (status == QLatin1String("suspended")) {
        return tr("Suspended");
    }
    return status;
}

QString formatTime(qint64 ms, const QString &timezone)
{
    if (ms <= 0) {
        return QStringLiteral("—");
    }
    // Looking a zone up reads the zone database: keep the last one.
    static thread_local QString cachedId;
    static thread_local QTimeZone cachedZone = QTimeZone::utc();
    if (timezone != cachedId) {
        cachedId = timezone;
        cachedZone = QTimeZone(timezone.toUtf8());
        if (!cachedZone.isValid()) {
            cachedZone = QTimeZone::utc();
        }
    }
    return QDateTime::fromMSecsSinceEpoch(ms, cachedZone)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString deviceLabel(const QString &userAgent)
{
    return userAgent.trimmed().isEmpty() ? tr("Unknown device") : userAgent.trimmed();
}

QString groupedInFours(const QString &text)
{
    QString out;
    for (int i = 0; i < text.size(); i += 4) {
        if (i > 0) {
            out += QLatin1Char(' ');
        }
        out += text.mid(i, 4);
    }
    return out;
}

QString describeEvent(const Event &event, const QString &subjectId, const ActivityNames &names)
{
    const QString userPrefix = QStringLiteral("user/");
    const QString contentPrefix = QStringLiteral("content/");
    const QString type = event.type;
    const nlohmann::json &payload = event.payload;

    if (event.stream.startsWith(userPrefix)) {
        const QString about = streamId(event.stream, userPrefix);
        const bool ownStream = about == subjectId;
        const bool bySubject = event.actorId == subjectId;
        // On the subject's own stream, say who did it when it was someone
        // else; on another account's stream, say whose account it was.
        const QString by =
            bySubject || !ownStream ? QString() : tr(" by %1").arg(person(event.actorId, names));
        const QString forWhom = ownStream ? QString() : tr(" for %1").arg(person(about, names));
        if (type == QLatin1String("UserCreated")) {
            if (!ownStream) {
                return tr("created the account %1").arg(person(about, names));
            }
            return bySubject ? tr("signed up") : tr("account created") + by;
        }
        if (type == QLatin1String("UserAuthenticated")) {
            const QString method = jsonText(payload, "method");
            if (method.endsWith(QLatin1String("totp"))) {
                return tr("signed in with an authenticator code");
            }
            if (method.endsWith(QLatin1String("recovery-code"))) {
                return tr("signed in with a recovery code");
            }
            return tr("signed in");
        }
        if (type == QLatin1String("UserSessionRevoked")) {
            return sessionEnded(jsonText(payload, "reason")) + forWhom;
        }
        if (type == QLatin1String("UserUpdated")) {
            return userChanges(payload).join(QStringLiteral(", ")) + by + forWhom;
        }
        if (type == QLatin1String("UserDeleted")) {
            return ownStream ? tr("account deleted") + by
                             : tr("deleted the account %1").arg(person(about, names));
        }
        return spacedType(type) + by + forWhom;
    }

    if (event.stream.startsWith(contentPrefix)) {
        const QString id = streamId(event.stream, contentPrefix);
        QString title;
        if (payload.contains("changes")) {
            title = jsonText(payload["changes"], "title");
        }
        if (title.isEmpty()) {
            title = names.titles.value(id);
        }
        const QString item = quoted(title);
        if (type == QLatin1String("ContentCreated")) {
            return tr("created %1").arg(item);
        }
        if (type == QLatin1String("ContentUpdated")) {
            return tr("edited %1").arg(item);
        }
        if (type == QLatin1String("ContentStatusChanged")) {
            return tr("moved %1 from %2 to %3")
                .arg(item, jsonText(payload, "from"), jsonText(payload, "to"));
        }
        if (type == QLatin1String("ContentPublished")) {
            return tr("published %1").arg(item);
        }
        if (type == QLatin1String("ContentVersionRestored")) {
            return tr("restored an earlier version of %1").arg(item);
        }
        if (type == QLatin1String("ContentDeleted")) {
            return tr("deleted %1").arg(item);
        }
        if (type == QLatin1String("ContentLinked")) {
            return tr("linked %1 to another item").arg(item);
        }
        if (type == QLatin1String("ContentUnlinked")) {
            return tr("unlinked %1 from another item").arg(item);
        }
        return tr("%1: %2").arg(spacedType(type), item);
    }

    const QString name = payload.contains("changes") ? jsonText(payload["changes"], "name")
                                                     : jsonText(payload, "name");
    return name.isEmpty() ? spacedType(type) : tr("%1: “%2”").arg(spacedType(type), name);
}

} // namespace colophon::userui
