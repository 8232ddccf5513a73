// SPDX-License-Identifier: MIT
#include "services/content/contentservice.h"

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "backend/observability/logger.h"
#include "services/content/contentprojection.h"
#include "services/content/contentreplication.h"
#include "services/content/contentutil.h"

#include <QDateTime>
#include <QSet>
#include <QUuid>

namespace colophon {

namespace {

using namespace contentevents;

constexpr int kMaxTags = 50;
constexpr int kMaxCategories = 50;
constexpr int kMaxComment = 2000;

using contentutil::forbidden;
using contentutil::jsonList;

NewEvent contentEvent(const char *type, const QString &id, const Actor &actor,
                      nlohmann::json payload)
{
    return contentutil::event(type, "content", id, actor, std::move(payload));
}

Error notFound()
{
    return Error::notFound(QStringLiteral("no such content item"));
}

// The tags as a clean set: normalised, without duplicates, at most kMaxTags.
Result<QStringList> tagSet(const QStringList &tags)
{
    QStringList out;
    for (const QString &t : tags) {
        auto tag = normaliseTag(t);
        if (!tag) {
            return fail(tag.error());
        }
        if (!out.contains(*tag)) {
            out << *tag;
        }
    }
    if (out.size() > kMaxTags) {
        return fail(Error::invalid(QStringLiteral("at most %1 tags").arg(kMaxTags),
                                   QStringLiteral("tags")));
    }
    return out;
}

// What to add and what to remove to go from `from` to `to`.
std::pair<QStringList, QStringList> setDifference(const QStringList &from, const QStringList &to)
{
    QStringList added;
    QStringList removed;
    for (const QString &v : to) {
        if (!from.contains(v)) {
            added << v;
        }
    }
    for (const QString &v : from) {
        if (!to.contains(v)) {
            removed << v;
        }
    }
    return {added, removed};
}

bool canSeeDrafts(const Actor &actor)
{
    return isAllowed(actor.role, Action::ContentReadAllDrafts);
}

} // namespace

bool ContentService::visible(const Actor &actor, ContentStatus status, const QString &authorId)
{
    return status == ContentStatus::Published || authorId == actor.userId || canSeeDrafts(actor);
}

namespace {

// Applies one version's change to a folded state (fields as stored in events).
void foldVersion(nlohmann::json &state, const nlohmann::json &change)
{
    if (change.contains("changes") && change["changes"].is_object()) {
        for (auto it = change["changes"].begin(); it != change["changes"].end(); ++it) {
            state[it.key()] = it.value();
        }
    }
    for (const auto &[set, added, removed] :
         {std::tuple{"tags", "tagsAdded", "tagsRemoved"},
          std::tuple{"categories", "categoriesAdded", "categoriesRemoved"}}) {
        nlohmann::json &members = state[set];
        if (!members.is_array()) {
            members = nlohmann::json::array();
        }
        if (change.contains(added)) {
            for (const auto &v : change[added]) {
                if (std::find(members.begin(), members.end(), v) == members.end()) {
                    members.push_back(v);
                }
            }
        }
        if (change.contains(removed)) {
            for (const auto &v : change[removed]) {
                members.erase(std::remove(members.begin(), members.end(), v), members.end());
            }
        }
        std::sort(members.begin(), members.end());
    }
}

// Stored times are epoch ms in events; the API shows ISO times.
nlohmann::json presentable(nlohmann::json state)
{
    for (const char *key : {"publishedAt", "publishAt", "unpublishAt"}) {
        if (state.contains(key) && state[key].is_number_integer()) {
            const qint64 ms = state[key].get<qint64>();
            state[key] = ms > 0 ? nlohmann::json(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
                                                     .toString(Qt::ISODateWithMs)
                                                     .toStdString())
                                : nlohmann::json(nullptr);
        }
    }
    return state;
}

Result<bool> categoryExists(Transaction &tx, const QString &id)
{
    auto q = tx.execCached(QStringLiteral("SELECT COUNT(*) FROM content_categories WHERE id = ? "
                                          "AND created = 1 AND deleted_hlc IS NULL"),
                           {id});
    if (!q) {
        return fail(q.error());
    }
    return (*q)->next() && (*q)->value(0).toLongLong() > 0;
}

Result<QStringList> categorySet(Transaction &tx, const QStringList &ids)
{
    QStringList out;
    for (const QString &raw : ids) {
        const QUuid uuid = QUuid::fromString(raw);
        if (uuid.isNull()) {
            return fail(Error::invalid(QStringLiteral("categories must be category ids"),
                                       QStringLiteral("categories")));
        }
        const QString id = uuid.toString(QUuid::WithoutBraces);
        auto exists = categoryExists(tx, id);
        if (!exists) {
            return fail(exists.error());
        }
        if (!*exists) {
            return fail(Error::invalid(QStringLiteral("no category %1").arg(id),
                                       QStringLiteral("categories")));
        }
        if (!out.contains(id)) {
            out << id;
        }
    }
    if (out.size() > kMaxCategories) {
        return fail(Error::invalid(QStringLiteral("at most %1 categories").arg(kMaxCategories),
                                   QStringLiteral("categories")));
    }
    return out;
}

} // namespace

ContentDraft ContentChange::toDraft() const
{
    ContentDraft draft;
    draft.title = title.value_or(QString());
    draft.slug = slug;
    draft.description = description.value_or(QString());
    draft.body = body.value_or(QString());
    draft.type = type.value_or(ContentType::Article);
    draft.metadata = metadata.value_or(nlohmann::json::object());
    draft.tags = tags.value_or(QStringList());
    draft.categories = categories.value_or(QStringList());
    draft.mediaIds = mediaIds.value_or(QStringList());
    draft.publishAtMs = publishAtMs.value_or(0);
    draft.unpublishAtMs = unpublishAtMs.value_or(0);
    return draft;
}

bool ContentChange::isEmpty() const
{
    return !title && !slug && !description && !body && !type && !metadata && !tags && !categories &&
           !mediaIds && !publishAtMs && !unpublishAtMs && !status;
}

ContentService::ContentService(Database &db, EventLog &log, Clock clock)
    : m_db(db), m_log(log),
      m_clock(clock ? std::move(clock) : [] { return QDateTime::currentMSecsSinceEpoch(); }),
      m_store(std::make_unique<ContentStore>(db)),
      m_projection(std::make_unique<ContentProjection>()),
      m_replication(std::make_unique<ContentReplication>(*this))
{
}

ReplicationHandler &ContentService::replication()
{
    return *m_replication;
}

nlohmann::json ContentConflict::toJson() const
{
    return {{"id", id.toStdString()},
            {"contentId", contentId.toStdString()},
            {"field", field.toStdString()},
            {"keptText", keptText.toStdString()},
            {"losingText", losingText.toStdString()},
            {"losingActorId", losingActorId.isEmpty()
                                  ? nlohmann::json(nullptr)
                                  : nlohmann::json(losingActorId.toStdString())},
            {"recordedAt", recordedAtMs}};
}

Result<std::vector<ContentConflict>> ContentService::conflicts(const Actor &actor,
                                                               const QString &id)
{
    auto q = m_db.execCached(
        QStringLiteral("SELECT id, content_id, field, kept_text, losing_text, losing_actor_id, "
                       "recorded_hlc FROM content_conflicts WHERE resolved_hlc IS NULL AND "
                       "recorded_hlc != '' AND (? = '' OR content_id = ?) ORDER BY recorded_hlc"),
        // A null QString binds as SQL NULL, which equals nothing: all items then.
        {id.isNull() ? QStringLiteral("") : id, id});
    if (!q) {
        return fail(q.error());
    }
    std::vector<ContentConflict> out;
    std::vector<ContentConflict> found;
    while ((*q)->next()) {
        ContentConflict c;
        c.id = (*q)->value(0).toString();
        c.contentId = (*q)->value(1).toString();
        c.field = (*q)->value(2).toString();
        c.keptText = (*q)->value(3).toString();
        c.losingText = (*q)->value(4).toString();
        c.losingActorId = (*q)->value(5).toString();
        c.recordedAtMs = Hlc::parse((*q)->value(6).toString()).value_or(Hlc{}).physicalMs;
        found.push_back(std::move(c));
    }
    // Only the conflicts of items the actor may edit.
    for (ContentConflict &c : found) {
        auto item = m_store->item(c.contentId);
        if (!item) {
            return fail(item.error());
        }
        if (item->has_value() && visible(actor, (*item)->status, (*item)->authorId) &&
            editable(actor, **item)) {
            out.push_back(std::move(c));
        }
    }
    return out;
}

Result<void> ContentService::resolveConflict(const Actor &actor, const QString &id,
                                             const QString &conflictId,
                                             const std::optional<QString> &body)
{
    auto open = conflicts(actor, id);
    if (!open) {
        return fail(open.error());
    }
    if (std::none_of(open->begin(), open->end(),
                     [&](const ContentConflict &c) { return c.id == conflictId; })) {
        return fail(Error::notFound(QStringLiteral("no open conflict %1").arg(conflictId)));
    }
    if (body) {
        ContentChange change;
        change.body = *body;
        if (auto updated = update(actor, id, change); !updated) {
            return fail(updated.error());
        }
    }
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        return commit(tx, contentEvent(kConflictResolved, id, actor,
                                       {{"conflictId", conflictId.toStdString()}}));
    });
}

ContentService::~ContentService() = default;

void ContentService::registerMigrations(MigrationRegistry &registry)
{
    ContentProjection::registerMigrations(registry);
}

Result<void> ContentService::commit(Transaction &tx, NewEvent event)
{
    auto stored = m_log.append(tx, std::move(event), currentTraceparent());
    if (!stored) {
        return fail(stored.error());
    }
    // Also before the commit: this thread's own connection reads its
    // uncommitted rows, and a rollback only makes the next count redundant.
    m_store->contentChanged();
    tx.onCommit([store = m_store.get()] { store->contentChanged(); });
    return m_projection->apply(tx, *stored);
}

Result<ContentService::Prepared> ContentService::prepareCreate(Transaction &tx, const Actor &actor,
                                                               const ContentDraft &draft)
{
    auto title = validTitle(draft.title);
    if (!title) {
        return fail(title.error());
    }
    auto description = validDescription(draft.description);
    if (!description) {
        return fail(description.error());
    }
    auto body = validBody(draft.body);
    if (!body) {
        return fail(body.error());
    }
    auto metadata = validMetadata(draft.metadata);
    if (!metadata) {
        return fail(metadata.error());
    }
    auto tags = tagSet(draft.tags);
    if (!tags) {
        return fail(tags.error());
    }
    auto categories = categorySet(tx, draft.categories);
    if (!categories) {
        return fail(categories.error());
    }
    auto media = validMediaIds(draft.mediaIds);
    if (!media) {
        return fail(media.error());
    }
    if (draft.publishAtMs < 0 || draft.unpublishAtMs < 0 ||
        ((draft.publishAtMs > 0 || draft.unpublishAtMs > 0) &&
         !isAllowed(actor.role, Action::ContentPublish))) {
        return fail(forbidden(QStringLiteral("only editors and admins schedule publication")));
    }
    QString slug;
    if (draft.slug) {
        auto valid = validSlug(*draft.slug);
        if (!valid) {
            return fail(valid.error());
        }
        auto taken = m_store->slugTaken(tx, draft.type, *valid, {});
        if (!taken) {
            return fail(taken.error());
        }
        if (*taken) {
            return fail(Error{ErrorCode::Conflict,
                              QStringLiteral("the slug %1 is taken").arg(*valid),
                              QStringLiteral("slug")});
        }
        slug = *valid;
    } else {
        auto free = m_store->freeSlug(tx, draft.type, slugify(*title));
        if (!free) {
            return fail(free.error());
        }
        slug = *free;
    }
    const QString id = uuidText(m_ids.next());
    nlohmann::json changes = {{"title", title->toStdString()},
                              {"slug", slug.toStdString()},
                              {"description", description->toStdString()},
                              {"body", body->toStdString()},
                              {"type", contentTypeName(draft.type).toStdString()},
                              {"status", "draft"},
                              {"authorId", actor.userId.toStdString()},
                              {"metadata", *metadata},
                              {"mediaIds", jsonList(*media)},
                              {"publishAt", draft.publishAtMs},
                              {"unpublishAt", draft.unpublishAtMs}};
    nlohmann::json payload = {{"changes", std::move(changes)}};
    if (!tags->isEmpty()) {
        payload["tagsAdded"] = jsonList(*tags);
    }
    if (!categories->isEmpty()) {
        payload["categoriesAdded"] = jsonList(*categories);
    }
    return Prepared{id, contentEvent(kCreated, id, actor, std::move(payload))};
}

Result<ContentItem> ContentService::create(const Actor &actor, const ContentDraft &draft)
{
    if (auto allowed = authorize(actor.role, Action::ContentCreate); !allowed) {
        return fail(allowed.error());
    }
    if (actor.userId.isEmpty()) {
        return fail(forbidden(QStringLiteral("content needs an author: sign in as a user")));
    }
    auto created = m_db.transact([&](Transaction &tx) -> Result<QString> {
        auto prepared = prepareCreate(tx, actor, draft);
        if (!prepared) {
            return fail(prepared.error());
        }
        if (auto ok = commit(tx, std::move(prepared->event)); !ok) {
            return fail(ok.error());
        }
        return prepared->id;
    });
    if (!created) {
        return fail(created.error());
    }
    auto item = m_store->item(*created);
    if (!item || !item->has_value()) {
        return fail(item ? Error::internal(QStringLiteral("the new item cannot be read"))
                         : item.error());
    }
    return **item;
}

Result<ContentItem> ContentService::readForChange(const Actor &actor, const QString &id)
{
    auto item = m_store->item(id);
    if (!item) {
        return fail(item.error());
    }
    if (!item->has_value() || !visible(actor, (*item)->status, (*item)->authorId)) {
        return fail(notFound());
    }
    return **item;
}

Result<void> ContentService::editable(const Actor &actor, const ContentItem &item)
{
    const bool own = item.authorId == actor.userId;
    if (auto allowed = authorize(actor.role, own ? Action::ContentEditOwn : Action::ContentEditAny);
        !allowed) {
        return fail(allowed.error());
    }
    if (!isAllowed(actor.role, Action::ContentEditAny) && item.status != ContentStatus::Draft) {
        return fail(
            forbidden(QStringLiteral("a %1 item is edited by editors; move it back to draft first")
                          .arg(contentStatusName(item.status))));
    }
    return {};
}

Result<std::vector<NewEvent>> ContentService::changeEvents(Transaction &tx, const Actor &actor,
                                                           const ContentItem &current,
                                                           const ContentChange &change,
                                                           qint64 nowMs, bool bySchedule)
{
    const bool own = current.authorId == actor.userId;
    const bool editsFields = change.title || change.slug || change.description || change.body ||
                             change.type || change.metadata || change.tags || change.categories ||
                             change.mediaIds || change.publishAtMs || change.unpublishAtMs;
    if (editsFields && !bySchedule) {
        if (auto allowed = editable(actor, current); !allowed) {
            return fail(allowed.error());
        }
    }
    nlohmann::json changes = nlohmann::json::object();
    nlohmann::json payload = nlohmann::json::object();
    if (change.title) {
        auto v = validTitle(*change.title);
        if (!v) {
            return fail(v.error());
        }
        if (*v != current.title) {
            changes["title"] = v->toStdString();
        }
    }
    const ContentType type = change.type.value_or(current.type);
    if (type != current.type) {
        changes["type"] = contentTypeName(type).toStdString();
    }
    QString slug = current.slug;
    if (change.slug) {
        auto v = validSlug(*change.slug);
        if (!v) {
            return fail(v.error());
        }
        slug = *v;
    }
    if (slug != current.slug || type != current.type) {
        auto taken = m_store->slugTaken(tx, type, slug, current.id);
        if (!taken) {
            return fail(taken.error());
        }
        if (*taken) {
            return fail(Error{ErrorCode::Conflict, QStringLiteral("the slug %1 is taken").arg(slug),
                              QStringLiteral("slug")});
        }
        if (slug != current.slug) {
            changes["slug"] = slug.toStdString();
        }
    }
    if (change.description) {
        auto v = validDescription(*change.description);
        if (!v) {
            return fail(v.error());
        }
        if (*v != current.description) {
            changes["description"] = v->toStdString();
        }
    }
    if (change.body) {
        auto v = validBody(*change.body);
        if (!v) {
            return fail(v.error());
        }
        if (*v != current.body) {
            changes["body"] = v->toStdString();
            payload["baseBodyHash"] =
                (change.baseBodyHash.isEmpty() ? current.bodyHash : change.baseBodyHash)
                    .toStdString();
        }
    }
    if (change.metadata) {
        auto v = validMetadata(*change.metadata);
        if (!v) {
            return fail(v.error());
        }
        if (*v != current.metadata) {
            changes["metadata"] = *v;
        }
    }
    if (change.mediaIds) {
        auto v = validMediaIds(*change.mediaIds);
        if (!v) {
            return fail(v.error());
        }
        if (*v != current.mediaIds) {
            changes["mediaIds"] = jsonList(*v);
        }
    }
    if (change.tags) {
        auto wanted = tagSet(*change.tags);
        if (!wanted) {
            return fail(wanted.error());
        }
        const auto [added, removed] = setDifference(current.tags, *wanted);
        if (!added.isEmpty()) {
            payload["tagsAdded"] = jsonList(added);
        }
        if (!removed.isEmpty()) {
            payload["tagsRemoved"] = jsonList(removed);
        }
    }
    if (change.categories) {
        auto wanted = categorySet(tx, *change.categories);
        if (!wanted) {
            return fail(wanted.error());
        }
        const auto [added, removed] = setDifference(current.categories, *wanted);
        if (!added.isEmpty()) {
            payload["categoriesAdded"] = jsonList(added);
        }
        if (!removed.isEmpty()) {
            payload["categoriesRemoved"] = jsonList(removed);
        }
    }
    for (const auto &[value, key, held] :
         {std::tuple{change.publishAtMs, "publishAt", current.publishAtMs},
          std::tuple{change.unpublishAtMs, "unpublishAt", current.unpublishAtMs}}) {
        if (!value || *value == held) {
            continue;
        }
        if (!bySchedule && !isAllowed(actor.role, Action::ContentPublish)) {
            return fail(forbidden(QStringLiteral("only editors and admins schedule publication")));
        }
        if (*value < 0) {
            return fail(Error::invalid(QStringLiteral("%1 must be a time").arg(QLatin1String(key)),
                                       QLatin1String(key)));
        }
        changes[key] = *value;
    }
    const ContentStatus target = change.status.value_or(current.status);
    if (change.publishAtMs && *change.publishAtMs > 0 &&
        (target == ContentStatus::Published || target == ContentStatus::Archived)) {
        return fail(Error::invalid(
            QStringLiteral("only a draft or an item in review can be scheduled for publication"),
            QStringLiteral("publishAt")));
    }

    std::vector<NewEvent> events;
    if (!changes.empty() || payload.contains("tagsAdded") || payload.contains("tagsRemoved") ||
        payload.contains("categoriesAdded") || payload.contains("categoriesRemoved")) {
        payload["changes"] = std::move(changes);
        events.push_back(contentEvent(kUpdated, current.id, actor, std::move(payload)));
    }

    if (change.status && *change.status != current.status) {
        const ContentStatus to = *change.status;
        const auto action = transitionAction(current.status, to);
        if (!action) {
            return fail(
                Error::invalid(QStringLiteral("an item cannot move from %1 to %2")
                                   .arg(contentStatusName(current.status), contentStatusName(to)),
                               QStringLiteral("status")));
        }
        if (!bySchedule) {
            if (auto allowed = authorize(actor.role, *action); !allowed) {
                return fail(allowed.error());
            }
            if (*action == Action::ContentSubmit && !own &&
                !isAllowed(actor.role, Action::ContentEditAny)) {
                return fail(forbidden(QStringLiteral("creators submit their own items only")));
            }
        }
        const QString comment = change.comment.trimmed();
        if (*action == Action::ContentReject && comment.isEmpty()) {
            return fail(Error::invalid(QStringLiteral("a rejection needs a comment"),
                                       QStringLiteral("comment")));
        }
        if (comment.size() > kMaxComment) {
            return fail(Error::invalid(
                QStringLiteral("comment must be at most %1 characters").arg(kMaxComment),
                QStringLiteral("comment")));
        }
        nlohmann::json statusChanges = {{"status", contentStatusName(to).toStdString()}};
        if (to == ContentStatus::Published) {
            statusChanges["publishedAt"] = nowMs;
            if (current.publishAtMs > 0) {
                statusChanges["publishAt"] = 0; // a schedule is spent once published
            }
        }
        if (current.status == ContentStatus::Published && current.unpublishAtMs > 0) {
            statusChanges["unpublishAt"] = 0;
        }
        events.push_back(contentEvent(kStatusChanged, current.id, actor,
                                      {{"from", contentStatusName(current.status).toStdString()},
                                       {"to", contentStatusName(to).toStdString()},
                                       {"comment", comment.toStdString()},
                                       {"changes", std::move(statusChanges)}}));
        if (to == ContentStatus::Published) {
            events.push_back(contentEvent(kPublished, current.id, actor, {{"publishedAt", nowMs}}));
        }
    }
    return events;
}

Result<ContentItem> ContentService::update(const Actor &actor, const QString &id,
                                           const ContentChange &change)
{
    if (auto allowed = authorize(actor.role, Action::ContentRead); !allowed) {
        return fail(allowed.error());
    }
    const qint64 now = m_clock();
    auto done = m_db.transact([&](Transaction &tx) -> Result<void> {
        auto current = readForChange(actor, id);
        if (!current) {
            return fail(current.error());
        }
        if (change.expectedVersion && *change.expectedVersion != current->version) {
            return fail(Error{ErrorCode::PreconditionFailed,
                              QStringLiteral("the item changed since it was read (version %1 now)")
                                  .arg(current->version),
                              {}});
        }
        auto events = changeEvents(tx, actor, *current, change, now);
        if (!events) {
            return fail(events.error());
        }
        for (NewEvent &e : *events) {
            if (auto ok = commit(tx, std::move(e)); !ok) {
                return ok;
            }
        }
        return {};
    });
    if (!done) {
        return fail(done.error());
    }
    return readForChange(actor, id);
}

Result<void> ContentService::remove(const Actor &actor, const QString &id,
                                    std::optional<int> expectedVersion)
{
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        auto current = readForChange(actor, id);
        if (!current) {
            return fail(current.error());
        }
        const bool own = current->authorId == actor.userId;
        if (auto allowed =
                authorize(actor.role, own ? Action::ContentDeleteOwn : Action::ContentDeleteAny);
            !allowed) {
            return fail(allowed.error());
        }
        if (expectedVersion && *expectedVersion != current->version) {
            return fail(Error{ErrorCode::PreconditionFailed,
                              QStringLiteral("the item changed since it was read"),
                              {}});
        }
        return commit(tx, contentEvent(kDeleted, id, actor, nlohmann::json::object()));
    });
}

Result<ContentItem> ContentService::get(const Actor &actor, const QString &id)
{
    if (auto allowed = authorize(actor.role, Action::ContentRead); !allowed) {
        return fail(allowed.error());
    }
    return readForChange(actor, id);
}

Result<ContentPage> ContentService::list(const Actor &actor, ContentQuery query)
{
    if (auto allowed = authorize(actor.role, Action::ContentRead); !allowed) {
        return fail(allowed.error());
    }
    if (!query.sortField.isEmpty() && !ContentStore::sortFields().contains(query.sortField)) {
        return fail(Error::invalid(QStringLiteral("sort must be one of %1, optionally after -")
                                       .arg(ContentStore::sortFields().join(QLatin1String(", "))),
                                   QStringLiteral("sort")));
    }
    if (!canSeeDrafts(actor)) {
        if (isAllowed(actor.role, Action::ContentCreate)) {
            query.visibleTo = actor.userId;
        } else {
            query.onlyPublished = true;
        }
    }
    return m_store->list(query);
}

Result<QString> ContentService::listingState()
{
    return m_store->stateToken();
}

Result<RenderedItem> ContentService::getRendered(const Actor &actor, const QString &id)
{
    if (auto allowed = authorize(actor.role, Action::ContentRead); !allowed) {
        return fail(allowed.error());
    }
    auto item = m_store->renderedItem(id);
    if (!item) {
        return fail(item.error());
    }
    if (!item->has_value() || !visible(actor, (*item)->status, (*item)->authorId)) {
        return fail(notFound());
    }
    return std::move(**item);
}

Result<RenderedItem> ContentService::getPublishedRendered(const QString &id)
{
    auto item = m_store->renderedItem(id);
    if (!item) {
        return fail(item.error());
    }
    if (!item->has_value() || (*item)->status != ContentStatus::Published) {
        return fail(notFound());
    }
    return std::move(**item);
}

Result<ContentPage> ContentService::listPublished(ContentQuery query)
{
    query.onlyPublished = true;
    query.visibleTo.clear();
    if (!query.sortField.isEmpty() && !ContentStore::sortFields().contains(query.sortField)) {
        return fail(Error::invalid(QStringLiteral("sort must be one of %1, optionally after -")
                                       .arg(ContentStore::sortFields().join(QLatin1String(", "))),
                                   QStringLiteral("sort")));
    }
    return m_store->list(query);
}

Result<std::vector<ContentVersion>> ContentService::versions(const Actor &actor, const QString &id)
{
    auto item = get(actor, id);
    if (!item) {
        return fail(item.error());
    }
    const bool own = item->authorId == actor.userId;
    if (auto allowed = authorize(actor.role, own ? Action::ContentEditOwn : Action::ContentEditAny);
        !allowed) {
        return fail(allowed.error());
    }
    return m_store->versions(id);
}

Result<nlohmann::json> ContentService::foldedState(const Actor &actor, const QString &id, int n)
{
    auto all = versions(actor, id);
    if (!all) {
        return fail(all.error());
    }
    if (n < 1 || n > static_cast<int>(all->size())) {
        return fail(Error::notFound(QStringLiteral("no version %1 of this item").arg(n)));
    }
    nlohmann::json state = nlohmann::json::object();
    for (int i = 0; i < n; ++i) {
        foldVersion(state, (*all)[i].change);
    }
    return state;
}

Result<nlohmann::json> ContentService::versionState(const Actor &actor, const QString &id, int n)
{
    auto state = foldedState(actor, id, n);
    if (!state) {
        return state;
    }
    state->erase("authorId");
    return presentable(std::move(*state));
}

Result<nlohmann::json> ContentService::diff(const Actor &actor, const QString &id, int from, int to)
{
    auto a = versionState(actor, id, from);
    if (!a) {
        return a;
    }
    auto b = versionState(actor, id, to);
    if (!b) {
        return b;
    }
    nlohmann::json out = nlohmann::json::object();
    for (auto it = b->begin(); it != b->end(); ++it) {
        const nlohmann::json before = a->contains(it.key()) ? (*a)[it.key()] : nlohmann::json();
        if (before != it.value()) {
            out[it.key()] = {{"from", before}, {"to", it.value()}};
        }
    }
    for (auto it = a->begin(); it != a->end(); ++it) {
        if (!b->contains(it.key())) {
            out[it.key()] = {{"from", it.value()}, {"to", nullptr}};
        }
    }
    return out;
}

Result<ContentItem> ContentService::restore(const Actor &actor, const QString &id, int n,
                                            std::optional<int> expectedVersion)
{
    auto folded = foldedState(actor, id, n);
    if (!folded) {
        return fail(folded.error());
    }
    const nlohmann::json &state = *folded;
    // The editable fields of that version; status and schedules stay as they are.
    ContentChange change;
    const auto text = [&](const char *key) -> std::optional<QString> {
        if (state.contains(key) && state[key].is_string()) {
            return QString::fromStdString(state[key].get<std::string>());
        }
        return std::nullopt;
    };
    const auto strings = [&](const char *key) {
        QStringList out;
        for (const auto &v : state.value(key, nlohmann::json::array())) {
            out << QString::fromStdString(v.get<std::string>());
        }
        return out;
    };
    change.title = text("title");
    change.slug = text("slug");
    change.description = text("description");
    change.body = text("body");
    if (auto type = text("type")) {
        change.type = parseContentType(*type);
    }
    if (state.contains("metadata")) {
        change.metadata = state["metadata"];
    }
    change.mediaIds = strings("mediaIds");
    change.tags = strings("tags");
    // Categories deleted since then cannot come back.
    const qint64 now = m_clock();
    auto done = m_db.transact([&](Transaction &tx) -> Result<void> {
        QStringList categories;
        for (const QString &c : strings("categories")) {
            auto exists = categoryExists(tx, c);
            if (!exists) {
                return fail(exists.error());
            }
            if (*exists) {
                categories << c;
            }
        }
        change.categories = categories;
        auto current = readForChange(actor, id);
        if (!current) {
            return fail(current.error());
        }
        if (expectedVersion && *expectedVersion != current->version) {
            return fail(Error{ErrorCode::PreconditionFailed,
                              QStringLiteral("the item changed since it was read"),
                              {}});
        }
        auto events = changeEvents(tx, actor, *current, change, now);
        if (!events) {
            return fail(events.error());
        }
        if (events->empty()) {
            return {}; // already equal to that version
        }
        NewEvent restored = std::move(events->front());
        restored.type = QLatin1String(kVersionRestored);
        restored.payload["restoredVersion"] = n;
        return commit(tx, std::move(restored));
    });
    if (!done) {
        return fail(done.error());
    }
    return readForChange(actor, id);
}

Result<int> ContentService::runSchedules()
{
    const qint64 now = m_clock();
    auto due = m_store->dueForSchedule(now);
    if (!due) {
        return fail(due.error());
    }
    int changed = 0;
    const Actor scheduler = Actor::system();
    for (const QString &id : *due) {
        auto fired = m_db.transact([&](Transaction &tx) -> Result<bool> {
            auto item = m_store->item(id);
            if (!item) {
                return fail(item.error());
            }
            if (!item->has_value()) {
                return false;
            }
            const ContentItem &c = **item;
            ContentChange change;
            if (c.publishAtMs > 0 && c.publishAtMs <= now) {
                if (c.status == ContentStatus::Draft || c.status == ContentStatus::Review) {
                    change.status = ContentStatus::Published;
                } else {
                    change.publishAtMs = 0; // nothing to publish: the schedule lapses
                }
            } else if (c.unpublishAtMs > 0 && c.unpublishAtMs <= now) {
                if (c.status == ContentStatus::Published) {
                    change.status = ContentStatus::Archived;
                    change.comment = QStringLiteral("withdrawn as scheduled");
                } else {
                    change.unpublishAtMs = 0;
                }
            } else {
                return false; // changed since it was found due
            }
            auto events = changeEvents(tx, scheduler, c, change, now, true);
            if (!events) {
                return fail(events.error());
            }
            for (NewEvent &e : *events) {
                if (auto ok = commit(tx, std::move(e)); !ok) {
                    return fail(ok.error());
                }
            }
            return !events->empty();
        });
        if (!fired) {
            return fail(fired.error());
        }
        changed += *fired ? 1 : 0;
    }
    return changed;
}

Result<ImportReport> ContentService::importItems(const Actor &actor,
                                                 const std::vector<ContentDraft> &drafts)
{
    if (auto allowed = authorize(actor.role, Action::ContentCreate); !allowed) {
        return fail(allowed.error());
    }
    if (actor.userId.isEmpty()) {
        return fail(forbidden(QStringLiteral("content needs an author: sign in as a user")));
    }
    ImportReport report;
    auto result = m_db.transact([&](Transaction &tx) -> Result<void> {
        for (std::size_t i = 0; i < drafts.size(); ++i) {
            auto prepared = prepareCreate(tx, actor, drafts[i]);
            if (!prepared) {
                report.rejected.emplace_back(static_cast<int>(i) + 1, prepared.error());
                continue;
            }
            if (!report.rejected.empty()) {
                continue; // validate the rest to report them, write nothing
            }
            if (auto ok = commit(tx, std::move(prepared->event)); !ok) {
                return ok;
            }
            ++report.imported;
        }
        if (!report.rejected.empty()) {
            return fail(Error::invalid(QStringLiteral("records were rejected")));
        }
        return {};
    });
    if (!result) {
        if (report.rejected.empty()) {
            return fail(result.error());
        }
        report.imported = 0;
    }
    return report;
}

} // namespace colophon
