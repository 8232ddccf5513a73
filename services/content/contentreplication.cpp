// SPDX-License-Identifier: MIT
#include "services/content/contentreplication.h"

#include "backend/db/database.h"
#include "backend/events/event.h"
#include "services/content/contentprojection.h"
#include "services/content/contentservice.h"
#include "services/content/contentutil.h"
#include "services/content/textmerge.h"

namespace colophon {

namespace {

using namespace contentevents;

QString text(const nlohmann::json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                 : QString();
}

QStringList strings(const nlohmann::json &object, const char *key)
{
    QStringList out;
    const auto it = object.find(key);
    if (it != object.end() && it->is_array()) {
        for (const auto &v : *it) {
            if (v.is_string()) {
                out << QString::fromStdString(v.get<std::string>());
            }
        }
    }
    return out;
}

const nlohmann::json &changesOf(const nlohmann::json &payload)
{
    static const nlohmann::json empty = nlohmann::json::object();
    const auto it = payload.find("changes");
    return it != payload.end() && it->is_object() ? *it : empty;
}

Error refused(ErrorCode code, const QString &message, const QString &field = {})
{
    return Error{code, message, field};
}

// A time field of a change: absent, or a non-negative integer.
Result<std::optional<qint64>> millis(const nlohmann::json &changes, const char *key)
{
    const auto it = changes.find(key);
    if (it == changes.end()) {
        return std::optional<qint64>();
    }
    if (!it->is_number_integer() || it->get<qint64>() < 0) {
        return fail(Error::invalid(QStringLiteral("%1 must be a time").arg(QLatin1String(key)),
                                   QLatin1String(key)));
    }
    return std::optional<qint64>(it->get<qint64>());
}

// The fields of an edit, as the service's change; status, author and
// publication times are not fields an edit may carry.
Result<ContentChange> changeOf(const ContentItem &current, const nlohmann::json &payload)
{
    const nlohmann::json &changes = changesOf(payload);
    ContentChange change;
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const std::string &key = it.key();
        const auto str = [&]() -> Result<QString> {
            if (!it->is_string()) {
                return fail(Error::invalid(
                    QStringLiteral("%1 must be a string").arg(QString::fromStdString(key)),
                    QString::fromStdString(key)));
            }
            return QString::fromStdString(it->get<std::string>());
        };
        if (key == "title" || key == "slug" || key == "description" || key == "body" ||
            key == "type") {
            auto v = str();
            if (!v) {
                return fail(v.error());
            }
            if (key == "title") {
                change.title = *v;
            } else if (key == "slug") {
                change.slug = *v;
            } else if (key == "description") {
                change.description = *v;
            } else if (key == "body") {
                change.body = *v;
            } else {
                auto type = parseContentType(*v);
                if (!type) {
                    return fail(Error::invalid(QStringLiteral("unknown type %1").arg(*v),
                                               QStringLiteral("type")));
                }
                change.type = *type;
            }
        } else if (key == "metadata") {
            change.metadata = *it;
        } else if (key == "mediaIds") {
            if (!it->is_array()) {
                return fail(Error::invalid(QStringLiteral("mediaIds must be a list"),
                                           QStringLiteral("mediaIds")));
            }
            change.mediaIds = strings(changes, "mediaIds");
        } else if (key == "publishAt" || key == "unpublishAt") {
            auto v = millis(changes, key.c_str());
            if (!v) {
                return fail(v.error());
            }
            (key == "publishAt" ? change.publishAtMs : change.unpublishAtMs) = *v;
        } else {
            return fail(Error::invalid(
                QStringLiteral("an edit cannot change %1").arg(QString::fromStdString(key)),
                QString::fromStdString(key)));
        }
    }
    // Sets change by additions and removals: the wanted set is the current
    // one with them (the projection applies them by stamp all the same).
    for (const auto &[added, removed, held, target] :
         {std::tuple{"tagsAdded", "tagsRemoved", &current.tags, &change.tags},
          std::tuple{"categoriesAdded", "categoriesRemoved", &current.categories,
                     &change.categories}}) {
        const QStringList add = strings(payload, added);
        const QStringList remove = strings(payload, removed);
        if (add.isEmpty() && remove.isEmpty()) {
            continue;
        }
        QStringList wanted = *held;
        for (const QString &v : add) {
            if (!wanted.contains(v)) {
                wanted << v;
            }
        }
        for (const QString &v : remove) {
            wanted.removeAll(v);
        }
        *target = wanted;
    }
    change.baseBodyHash = text(payload, "baseBodyHash");
    return change;
}

// The newest stamp the item's body holds, from the projection's clocks.
Result<QString> bodyStamp(Transaction &tx, const QString &id)
{
    auto q = tx.execCached(QStringLiteral("SELECT clocks FROM content_items WHERE id = ?"), {id});
    if (!q) {
        return fail(q.error());
    }
    if (!(*q)->next()) {
        return QString();
    }
    const auto clocks =
        nlohmann::json::parse((*q)->value(0).toString().toStdString(), nullptr, false);
    return clocks.is_object() ? text(clocks, "body") : QString();
}

// The text of a body the item held, by its hash; nullopt when no version has it.
Result<std::optional<QString>> bodyByHash(Transaction &tx, const QString &id, const QString &hash)
{
    if (hash == bodyHash(QString())) {
        return std::optional<QString>(QString());
    }
    auto q = tx.execCached(QStringLiteral("SELECT %1 WHERE v.content_id = ? ORDER BY v.hlc DESC")
                               .arg(ContentProjection::versionChangeSql()),
                           {id});
    if (!q) {
        return fail(q.error());
    }
    while ((*q)->next()) {
        const auto change =
            ContentProjection::versionChange((*q)->value(0).toString(), (*q)->value(1).toString());
        if (!change.is_object()) {
            continue;
        }
        const nlohmann::json &changes = changesOf(change);
        if (changes.contains("body") && changes["body"].is_string()) {
            const QString body = QString::fromStdString(changes["body"].get<std::string>());
            if (bodyHash(body) == hash) {
                return std::optional<QString>(body);
            }
        }
    }
    return std::optional<QString>();
}

// Whether an item row exists at all (live or a tombstone) and its author.
struct Known
{
    bool exists = false;
    bool deleted = false;
    QString authorId;
    QString status;
};

Result<Known> known(Transaction &tx, const QString &id)
{
    auto q = tx.execCached(QStringLiteral("SELECT created, deleted_hlc, author_id, status FROM "
                                          "content_items WHERE id = ?"),
                           {id});
    if (!q) {
        return fail(q.error());
    }
    Known k;
    if ((*q)->next()) {
        k.exists = (*q)->value(0).toInt() == 1;
        k.deleted = !(*q)->value(1).isNull();
        k.authorId = (*q)->value(2).toString();
        k.status = (*q)->value(3).toString();
    }
    return k;
}

} // namespace

bool ContentReplication::handles(const QString &eventType) const
{
    return ContentProjection::handles(eventType);
}

Result<void> ContentReplication::apply(Transaction &tx, const Event &event)
{
    m_service.m_store->contentChanged();
    tx.onCommit([store = m_service.m_store.get()] { store->contentChanged(); });
    return m_service.m_projection->apply(tx, event);
}

Result<void> ContentReplication::reset(Transaction &tx, const QString &stream)
{
    m_service.m_store->contentChanged();
    tx.onCommit([store = m_service.m_store.get()] { store->contentChanged(); });
    return ContentProjection::reset(tx, stream);
}

std::vector<ReplicationHandler::SnapshotTable> ContentReplication::snapshotTables() const
{
    // Every table ContentProjection::reset() clears for a stream.
    const QString item = QStringLiteral("'content/' || content_id");
    return {{QStringLiteral("content_items"), QStringLiteral("'content/' || id")},
            {QStringLiteral("content_tags"), item},
            {QStringLiteral("content_item_categories"), item},
            {QStringLiteral("content_versions"), item},
            {QStringLiteral("content_relations"), QStringLiteral("'content/' || from_id")},
            {QStringLiteral("content_conflicts"), item},
            {QStringLiteral("content_categories"), QStringLiteral("'category/' || id")}};
}

void ContentReplication::snapshotInstalled(Transaction &tx)
{
    m_service.m_store->contentChanged();
    tx.onCommit([store = m_service.m_store.get()] { store->contentChanged(); });
}

Result<std::vector<NewEvent>>
ContentReplication::validate(Transaction &tx, const Principal &principal, const Event &event)
{
    const Actor actor{principal.userId, principal.role, {}};
    if (event.type.startsWith(QLatin1String("Category"))) {
        return validateCategory(tx, actor, event);
    }
    const QString id = text(event.payload, "id");
    if (id.isEmpty() || event.stream != QStringLiteral("content/") + id) {
        return fail(Error::invalid(QStringLiteral("a content event names its item in its stream"),
                                   QStringLiteral("id")));
    }
    if (event.type == QLatin1String(kCreated)) {
        return validateCreate(tx, actor, event);
    }
    if (event.type == QLatin1String(kConflictResolved)) {
        // Whoever may edit the item may settle its conflicts.
        auto current = m_service.m_store->item(id);
        if (!current) {
            return fail(current.error());
        }
        if (!current->has_value()) {
            return fail(Error::notFound(QStringLiteral("no such content item")));
        }
        if (auto ok = m_service.editable(actor, **current); !ok) {
            return fail(ok.error());
        }
        return std::vector<NewEvent>();
    }
    if (event.type == QLatin1String(kConflictRecorded)) {
        return fail(refused(ErrorCode::PermissionDenied,
                            QStringLiteral("conflict records are made by the server")));
    }
    auto state = known(tx, id);
    if (!state) {
        return fail(state.error());
    }
    if (event.type == QLatin1String(kDeleted)) {
        if (!state->exists) {
            return fail(Error::notFound(QStringLiteral("no such content item")));
        }
        const bool own = state->authorId == actor.userId;
        if (auto ok =
                authorize(actor.role, own ? Action::ContentDeleteOwn : Action::ContentDeleteAny);
            !ok) {
            return fail(ok.error());
        }
        return std::vector<NewEvent>(); // a second deletion: the earliest stamp stays
    }
    auto current = m_service.m_store->item(id);
    if (!current) {
        return fail(current.error());
    }
    if (!current->has_value()) {
        return fail(Error::notFound(state->deleted ? QStringLiteral("the item was deleted")
                                                   : QStringLiteral("no such content item")));
    }
    if (!m_service.visible(actor, (*current)->status, (*current)->authorId)) {
        return fail(Error::notFound(QStringLiteral("no such content item")));
    }
    const ContentItem &item = **current;
    if (event.type == QLatin1String(kUpdated) || event.type == QLatin1String(kVersionRestored)) {
        return validateChange(tx, actor, item, event);
    }
    if (event.type == QLatin1String(kStatusChanged)) {
        const auto to = parseContentStatus(text(event.payload, "to"));
        if (!to) {
            return fail(Error::invalid(QStringLiteral("a status change needs a known status"),
                                       QStringLiteral("to")));
        }
        for (auto it = changesOf(event.payload).begin(); it != changesOf(event.payload).end();
             ++it) {
            if (it.key() != "status" && it.key() != "publishedAt" && it.key() != "publishAt" &&
                it.key() != "unpublishAt") {
                return fail(Error::invalid(QStringLiteral("a status change cannot change %1")
                                               .arg(QString::fromStdString(it.key())),
                                           QString::fromStdString(it.key())));
            }
        }
        if (text(changesOf(event.payload), "status") != text(event.payload, "to")) {
            return fail(
                Error::invalid(QStringLiteral("a status change must set the status it names"),
                               QStringLiteral("status")));
        }
        if (item.status == *to) {
            return std::vector<NewEvent>(); // someone made the same move first
        }
        ContentChange change;
        change.status = *to;
        change.comment = text(event.payload, "comment");
        auto events = m_service.changeEvents(tx, actor, item, change, m_service.m_clock());
        if (!events) {
            return fail(events.error());
        }
        return std::vector<NewEvent>();
    }
    if (event.type == QLatin1String(kPublished)) {
        if (item.status != ContentStatus::Published) {
            return fail(refused(ErrorCode::Conflict,
                                QStringLiteral("the item is not published on the server")));
        }
        if (auto ok = authorize(actor.role, Action::ContentPublish); !ok) {
            return fail(ok.error());
        }
        return std::vector<NewEvent>();
    }
    if (event.type == QLatin1String(kLinked) || event.type == QLatin1String(kUnlinked)) {
        if (auto ok = m_service.editable(actor, item); !ok) {
            return fail(ok.error());
        }
        const QString to = text(event.payload, "to");
        const QString kind = text(event.payload, "kind");
        if (kind != QLatin1String("related") && kind != QLatin1String("series") &&
            kind != QLatin1String("translation-of")) {
            return fail(Error::invalid(QStringLiteral("kind must be related, series or "
                                                      "translation-of"),
                                       QStringLiteral("kind")));
        }
        if (to == id || to.isEmpty()) {
            return fail(
                Error::invalid(QStringLiteral("a link needs another item"), QStringLiteral("to")));
        }
        if (event.type == QLatin1String(kLinked)) {
            auto target = known(tx, to);
            if (!target) {
                return fail(target.error());
            }
            if (!target->exists || target->deleted) {
                return fail(
                    Error::invalid(QStringLiteral("no item %1").arg(to), QStringLiteral("to")));
            }
        }
        return std::vector<NewEvent>();
    }
    return fail(Error::invalid(QStringLiteral("%1 is not replicated").arg(event.type),
                               QStringLiteral("type")));
}

Result<std::vector<NewEvent>>
ContentReplication::validateCreate(Transaction &tx, const Actor &actor, const Event &event)
{
    if (auto ok = authorize(actor.role, Action::ContentCreate); !ok) {
        return fail(ok.error());
    }
    const QString id = text(event.payload, "id");
    auto state = known(tx, id);
    if (!state) {
        return fail(state.error());
    }
    if (state->exists) {
        return fail(refused(ErrorCode::Conflict, QStringLiteral("an item with this id exists"),
                            QStringLiteral("id")));
    }
    const nlohmann::json &changes = changesOf(event.payload);
    if (text(changes, "authorId") != actor.userId) {
        return fail(refused(ErrorCode::PermissionDenied,
                            QStringLiteral("an item is created by its author only"),
                            QStringLiteral("authorId")));
    }
    if (text(changes, "status") != QLatin1String("draft")) {
        return fail(
            Error::invalid(QStringLiteral("an item starts as a draft"), QStringLiteral("status")));
    }
    ContentItem blank;
    nlohmann::json fields = event.payload;
    fields["changes"].erase("authorId");
    fields["changes"].erase("status");
    auto change = changeOf(blank, fields);
    if (!change) {
        return fail(change.error());
    }
    ContentDraft draft = change->toDraft();
    draft.slug.reset(); // decided below: a taken slug is fixed, not refused
    auto prepared = m_service.prepareCreate(tx, actor, draft);
    if (!prepared) {
        return fail(prepared.error());
    }
    const QString slug = text(changes, "slug");
    if (auto valid = validSlug(slug); !valid) {
        return fail(valid.error());
    }
    const auto type = parseContentType(text(changes, "type")).value_or(ContentType::Article);
    auto taken = m_service.m_store->slugTaken(tx, type, slug, id);
    if (!taken) {
        return fail(taken.error());
    }
    if (!*taken) {
        return std::vector<NewEvent>();
    }
    // Another item took the slug while this one was made offline: the item
    // is kept, under the next free slug, by a server event after it.
    auto free = m_service.m_store->freeSlug(tx, type, slug);
    if (!free) {
        return fail(free.error());
    }
    std::vector<NewEvent> extra;
    extra.push_back(contentutil::event(
        kUpdated, "content", id, Actor::system(),
        {{"changes", {{"slug", free->toStdString()}}}, {"reason", "slug-taken"}}));
    return extra;
}

Result<std::vector<NewEvent>> ContentReplication::validateChange(Transaction &tx,
                                                                 const Actor &actor,
                                                                 const ContentItem &current,
                                                                 const Event &event)
{
    auto change = changeOf(current, event.payload);
    if (!change) {
        return fail(change.error());
    }
    ContentChange check = *change;
    // The body's base is settled below, by merging; the service's check is
    // for who may write what.
    check.baseBodyHash.clear();
    // A slug this edit sets that another item took meanwhile is refused.
    auto events = m_service.changeEvents(tx, actor, current, check, m_service.m_clock());
    if (!events) {
        return fail(events.error());
    }
    if (!change->body) {
        return std::vector<NewEvent>();
    }
    return mergeBody(tx, current, event);
}

Result<std::vector<NewEvent>>
ContentReplication::mergeBody(Transaction &tx, const ContentItem &current, const Event &event)
{
    const QString incoming = text(changesOf(event.payload), "body");
    const QString base = text(event.payload, "baseBodyHash");
    if (base.isEmpty() || base == current.bodyHash || incoming == current.body) {
        return std::vector<NewEvent>(); // a fast-forward, or nothing to merge
    }
    auto held = bodyStamp(tx, current.id);
    if (!held) {
        return fail(held.error());
    }
    // Which text the stamps keep when the event is applied: the later one.
    const bool incomingWins = held->isEmpty() || event.hlc.toString() > *held;
    const QString kept = incomingWins ? incoming : current.body;
    const QString lost = incomingWins ? current.body : incoming;
    auto baseText = bodyByHash(tx, current.id, base);
    if (!baseText) {
        return fail(baseText.error());
    }
    std::vector<NewEvent> extra;
    if (*baseText) {
        const TextMerge merged = mergeText(**baseText, current.body, incoming);
        if (merged.clean) {
            if (merged.text != kept) {
                extra.push_back(contentutil::event(
                    kUpdated, "content", current.id, Actor::system(),
                    {{"changes", {{"body", merged.text.toStdString()}}},
                     {"baseBodyHash", bodyHash(kept).toStdString()},
                     {"reason", "merged"},
                     {"mergedEventId", event.id.toString(QUuid::WithoutBraces).toStdString()}}));
            }
            return extra;
        }
    }
    extra.push_back(contentutil::event(
        kConflictRecorded, "content", current.id, Actor::system(),
        {{"conflictId", QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString()},
         {"field", "body"},
         {"keptText", kept.toStdString()},
         {"losingText", lost.toStdString()},
         {"losingActorId", (incomingWins ? QString() : event.actorId).toStdString()},
         {"eventId", event.id.toString(QUuid::WithoutBraces).toStdString()}}));
    return extra;
}

Result<std::vector<NewEvent>>
ContentReplication::validateCategory(Transaction &tx, const Actor &actor, const Event &event)
{
    if (auto ok = authorize(actor.role, Action::TaxonomyManage); !ok) {
        return fail(ok.error());
    }
    const QString id = text(event.payload, "id");
    if (id.isEmpty() || event.stream != QStringLiteral("category/") + id) {
        return fail(Error::invalid(QStringLiteral("a category event names its category in its "
                                                  "stream"),
                                   QStringLiteral("id")));
    }
    if (event.type == QLatin1String(kCategoryDeleted)) {
        return std::vector<NewEvent>();
    }
    const nlohmann::json &changes = changesOf(event.payload);
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        if (!it->is_string()) {
            return fail(Error::invalid(
                QStringLiteral("%1 must be a string").arg(QString::fromStdString(it.key())),
                QString::fromStdString(it.key())));
        }
    }
    CategoryChange change;
    if (changes.contains("name")) {
        change.name = text(changes, "name");
    }
    if (changes.contains("description")) {
        change.description = text(changes, "description");
    }
    if (changes.contains("slug")) {
        change.slug = text(changes, "slug");
    }
    if (changes.contains("parentId")) {
        change.parentId = text(changes, "parentId");
    }
    return m_service
        .checkCategoryChange(tx, id, change, event.type == QLatin1String(kCategoryCreated))
        .map([] { return std::vector<NewEvent>(); });
}

Visibility ContentReplication::visibility(Transaction &tx, const Principal &principal,
                                          const Event &event)
{
    if (!event.stream.startsWith(QLatin1String("content/")) ||
        isAllowed(principal.role, Action::ContentReadAllDrafts)) {
        return Visibility::Visible; // categories are for everyone; editors see every item
    }
    auto state = known(tx, event.stream.mid(8));
    if (!state) {
        return Visibility::Hidden;
    }
    if (state->authorId == principal.userId) {
        return Visibility::Visible;
    }
    const bool publishing = event.type == QLatin1String(kStatusChanged) &&
                            text(event.payload, "to") == QLatin1String("published");
    const bool withdrawing = event.type == QLatin1String(kStatusChanged) &&
                             text(event.payload, "from") == QLatin1String("published");
    if (state->status == QLatin1String("published") && !state->deleted) {
        return publishing ? Visibility::VisibleWithHistory : Visibility::Visible;
    }
    // Readers learn that a published item left (or was deleted), nothing more.
    if (withdrawing || (event.type == QLatin1String(kDeleted))) {
        return Visibility::Visible;
    }
    return Visibility::Hidden;
}

} // namespace colophon
