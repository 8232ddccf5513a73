// SPDX-License-Identifier: MIT
// Plain-language descriptions of domain events for the activity view.
#include "ui/activity/eventdescription.h"

#include <QCoreApplication>
#include <QStringList>
#include <algorithm>

namespace colophon {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("colophon::EventDescription", text);
}

QString text(const nlohmann::json &j, const char *key)
{
    if (!j.is_object()) {
        return {};
    }
    const auto it = j.find(key);
    if (it == j.end()) {
        return {};
    }
    if (it->is_string()) {
        return QString::fromStdString(it->get<std::string>());
    }
    if (it->is_number_integer()) {
        return QString::number(it->get<qint64>());
    }
    return {};
}

QStringList strings(const nlohmann::json &j, const char *key)
{
    QStringList out;
    if (!j.is_object() || !j.contains(key) || !j[key].is_array()) {
        return out;
    }
    for (const auto &v : j[key]) {
        if (v.is_string()) {
            out << QString::fromStdString(v.get<std::string>());
        }
    }
    return out;
}

const nlohmann::json &changesOf(const Event &e)
{
    static const nlohmann::json empty = nlohmann::json::object();
    const auto it = e.payload.is_object() ? e.payload.find("changes") : e.payload.end();
    return it != e.payload.end() && it->is_object() ? *it : empty;
}

// “Title”, shortened when long (the details pane has it whole).
QString quoted(const QString &value, int max = 60)
{
    QString v = value.simplified();
    if (v.size() > max) {
        v = v.left(max - 1) + QChar(0x2026);
    }
    return QChar(0x201C) + v + QChar(0x201D);
}

// "tags-merged" -> "tags merged".
QString words(const QString &token)
{
    QString out = token;
    out.replace(QLatin1Char('-'), QLatin1Char(' '));
    out.replace(QLatin1Char('_'), QLatin1Char(' '));
    return out;
}

// "SomethingHappened" -> "something happened".
QString splitCamel(const QString &name)
{
    QString out;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        if (c.isUpper() && i > 0) {
            out += QLatin1Char(' ');
        }
        out += c.toLower();
    }
    return out;
}

// The fields a content change touched, in a stable, readable order, with
// tag and category additions and removals: "title, tags (+news, −old)".
QStringList contentChangeParts(const Event &e)
{
    static const std::pair<const char *, const char *> kFields[] = {
        {"title", "title"},
        {"slug", "slug"},
        {"description", "description"},
        {"body", "body"},
        {"type", "type"},
        {"metadata", "metadata"},
        {"mediaIds", "media"},
        {"publishAt", "publication time"},
        {"unpublishAt", "withdrawal time"},
    };
    const nlohmann::json &changes = changesOf(e);
    QStringList parts;
    for (const auto &[key, label] : kFields) {
        if (changes.contains(key)) {
            parts << tr(label);
        }
    }
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const bool known = std::any_of(std::begin(kFields), std::end(kFields),
                                       [&](const auto &f) { return it.key() == f.first; });
        if (!known) {
            parts << words(QString::fromStdString(it.key()));
        }
    }
    QStringList tagChanges;
    for (const QString &t : strings(e.payload, "tagsAdded")) {
        tagChanges << QLatin1Char('+') + t;
    }
    for (const QString &t : strings(e.payload, "tagsRemoved")) {
        tagChanges << QChar(0x2212) + t;
    }
    if (!tagChanges.isEmpty()) {
        parts << tr("tags (%1)").arg(tagChanges.join(QStringLiteral(", ")));
    }
    const auto added = strings(e.payload, "categoriesAdded").size();
    const auto removed = strings(e.payload, "categoriesRemoved").size();
    if (added > 0 || removed > 0) {
        QStringList counts;
        if (added > 0) {
            counts << QStringLiteral("+%1").arg(added);
        }
        if (removed > 0) {
            counts << QStringLiteral("%1%2").arg(QChar(0x2212)).arg(removed);
        }
        parts << tr("categories (%1)").arg(counts.join(QStringLiteral(", ")));
    }
    return parts;
}

QString withReason(QString description, const Event &e)
{
    const QString reason = text(e.payload, "reason");
    if (!reason.isEmpty()) {
        description += QStringLiteral(" \u2014 ") + words(reason);
    }
    return description;
}

QString describeContent(const Event &e)
{
    const nlohmann::json &changes = changesOf(e);
    const QString &t = e.type;
    if (t == QLatin1String("ContentCreated")) {
        QString type = text(changes, "type");
        if (type.isEmpty()) {
            type = tr("item");
        }
        return tr("created %1 %2").arg(type, quoted(text(changes, "title")));
    }
    if (t == QLatin1String("ContentUpdated")) {
        const QStringList parts = contentChangeParts(e);
        return withReason(parts.isEmpty() ? tr("saved without changes")
                                          : tr("changed %1").arg(parts.join(QStringLiteral(", "))),
                          e);
    }
    if (t == QLatin1String("ContentStatusChanged")) {
        QString d = tr("moved from %1 to %2").arg(text(e.payload, "from"), text(e.payload, "to"));
        const QString comment = text(e.payload, "comment").simplified();
        if (!comment.isEmpty()) {
            d += QStringLiteral(": ") +
                 (comment.size() > 120 ? comment.left(119) + QChar(0x2026) : comment);
        }
        return d;
    }
    if (t == QLatin1String("ContentPublished")) {
        return tr("published");
    }
    if (t == QLatin1String("ContentVersionRestored")) {
        const QStringList parts = contentChangeParts(e);
        const QString d = tr("restored version %1").arg(text(e.payload, "restoredVersion"));
        return parts.isEmpty() ? d
                               : d + QStringLiteral(" (%1)").arg(parts.join(QStringLiteral(", ")));
    }
    if (t == QLatin1String("ContentDeleted")) {
        return tr("deleted the item");
    }
    if (t == QLatin1String("ContentLinked")) {
        return tr("linked to item %1 as %2")
            .arg(shortId(text(e.payload, "to")), words(text(e.payload, "kind")));
    }
    if (t == QLatin1String("ContentUnlinked")) {
        return tr("removed the %1 link to item %2")
            .arg(words(text(e.payload, "kind")), shortId(text(e.payload, "to")));
    }
    return {};
}

QString describeCategory(const Event &e)
{
    const nlohmann::json &changes = changesOf(e);
    if (e.type == QLatin1String("CategoryCreated")) {
        return tr("created category %1").arg(quoted(text(changes, "name")));
    }
    if (e.type == QLatin1String("CategoryUpdated")) {
        QStringList parts;
        if (changes.contains("name")) {
            parts << tr("name to %1").arg(quoted(text(changes, "name")));
        }
        if (changes.contains("description")) {
            parts << tr("description");
        }
        if (changes.contains("slug")) {
            parts << tr("slug");
        }
        if (changes.contains("parentId")) {
            parts << (text(changes, "parentId").isEmpty() ? tr("parent (now top level)")
                                                          : tr("parent"));
        }
        return parts.isEmpty() ? tr("saved category without changes")
                               : tr("changed category %1").arg(parts.join(QStringLiteral(", ")));
    }
    if (e.type == QLatin1String("CategoryDeleted")) {
        return text(e.payload, "reassignedTo").isEmpty()
                   ? tr("deleted category")
                   : tr("deleted category, moving its items to another one");
    }
    return {};
}

QString describeUser(const Event &e)
{
    const QString &t = e.type;
    const QString userId = eventStreamId(e.stream);
    if (t == QLatin1String("UserCreated")) {
        const QString email = text(e.payload, "email");
        const QString role = text(e.payload, "role");
        if (!e.actorId.isEmpty() && e.actorId == userId) {
            return tr("signed up as %1").arg(email);
        }
        return role.isEmpty() ? tr("created account %1").arg(email)
                              : tr("created account %1 (%2)").arg(email, role);
    }
    if (t == QLatin1String("UserUpdated")) {
        const nlohmann::json &changes = changesOf(e);
        QStringList parts;
        if (changes.contains("role")) {
            parts << tr("changed role to %1").arg(text(changes, "role"));
        }
        if (changes.contains("status")) {
            parts << tr("changed status to %1").arg(text(changes, "status"));
        }
        if (changes.contains("firstName") || changes.contains("lastName")) {
            parts << tr("changed name");
        }
        if (changes.contains("preferences")) {
            parts << tr("changed preferences");
        }
        if (changes.contains("password")) {
            parts << tr("changed password");
        }
        if (changes.contains("mfaEnabled") && changes["mfaEnabled"].is_boolean()) {
            if (changes["mfaEnabled"].get<bool>()) {
                parts << tr("turned on two-step sign-in");
            } else if (text(e.payload, "reason") == QLatin1String("reset-by-admin")) {
                parts << tr("reset two-step sign-in");
            } else {
                parts << tr("turned off two-step sign-in");
            }
        }
        for (auto it = changes.begin(); it != changes.end(); ++it) {
            static const char *const kKnown[] = {"role",        "status",   "firstName", "lastName",
                                                 "preferences", "password", "mfaEnabled"};
            if (std::none_of(std::begin(kKnown), std::end(kKnown),
                             [&](const char *k) { return it.key() == k; })) {
                parts << tr("changed %1").arg(words(QString::fromStdString(it.key())));
            }
        }
        return parts.isEmpty() ? tr("saved the account without changes")
                               : parts.join(QStringLiteral(", "));
    }
    if (t == QLatin1String("UserAuthenticated")) {
        const QString method = text(e.payload, "method");
        if (method == QLatin1String("password+totp")) {
            return tr("signed in with an authenticator code");
        }
        if (method == QLatin1String("password+recovery-code")) {
            return tr("signed in with a recovery code");
        }
        return tr("signed in");
    }
    if (t == QLatin1String("UserSessionRevoked")) {
        const QString reason = text(e.payload, "reason");
        if (reason == QLatin1String("logout")) {
            return tr("signed out");
        }
        if (reason == QLatin1String("refresh-token-reuse")) {
            return tr("session ended: a used sign-in token was presented again");
        }
        return reason.isEmpty() ? tr("session ended") : tr("session ended (%1)").arg(words(reason));
    }
    if (t == QLatin1String("UserDeleted")) {
        return tr("deleted the account");
    }
    return {};
}

} // namespace

QString eventStreamKind(const QString &stream)
{
    const qsizetype slash = stream.indexOf(QLatin1Char('/'));
    return slash < 0 ? stream : stream.left(slash);
}

QString eventStreamId(const QString &stream)
{
    const qsizetype slash = stream.indexOf(QLatin1Char('/'));
    return slash < 0 ? stream : stream.mid(slash + 1);
}

QString shortId(const QString &id)
{
    return id.left(8);
}

QString eventDescription(const Event &event)
{
    QString d;
    if (event.type.startsWith(QLatin1String("Content"))) {
        d = describeContent(event);
    } else if (event.type.startsWith(QLatin1String("Category"))) {
        d = describeCategory(event);
    } else if (event.type.startsWith(QLatin1String("User"))) {
        d = describeUser(event);
    }
    return d.isEmpty() ? splitCamel(event.type) : d;
}

} // namespace colophon
