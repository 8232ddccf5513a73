// SPDX-License-Identifier: MIT
// The content service: items, their workflow, versions and schedules. Other
// code includes only this header.
//
// Invariants: every change is a domain event appended and applied (through
// ContentProjection) in one transaction, so the projection is always the fold
// of the log; an update carries only the fields it changed and tags and
// categories only as additions and removals; authorize() decides every
// action and the workflow's state machine every status change; a creator
// sees published items and their own, a consumer only published ones; a slug
// is unique among the live items of a type.
#pragma once

#include "backend/events/event.h"
#include "backend/events/uuidv7.h"
#include "services/content/content.h"
#include "services/content/contentstore.h"
#include "services/user/user.h"

#include <functional>
#include <memory>
#include <vector>

namespace colophon {

class Database;
class EventLog;
class MigrationRegistry;
class Transaction;
class ContentProjection;
class ContentReplication;
class ReplicationHandler;

// A new item. The slug is made from the title when absent (and made unique
// with a number); an explicit slug that is taken is a conflict.
struct ContentDraft
{
    QString title;
    std::optional<QString> slug;
    QString description;
    QString body;
    ContentType type = ContentType::Article;
    nlohmann::json metadata = nlohmann::json::object();
    QStringList tags;
    QStringList categories;
    QStringList mediaIds;
    qint64 publishAtMs = 0;
    qint64 unpublishAtMs = 0;
};

// A change to an item; absent fields stay. tags/categories/mediaIds, when
// present, are the wanted sets: the service records the difference.
struct ContentChange
{
    std::optional<QString> title;
    std::optional<QString> slug;
    std::optional<QString> description;
    std::optional<QString> body;
    std::optional<ContentType> type;
    std::optional<nlohmann::json> metadata;
    std::optional<QStringList> tags;
    std::optional<QStringList> categories;
    std::optional<QStringList> mediaIds;
    std::optional<qint64> publishAtMs; // 0 clears
    std::optional<qint64> unpublishAtMs;
    std::optional<ContentStatus> status;
    QString comment;                    // with a status change; required to reject
    QString baseBodyHash;               // the body the edit started from; default: the current one
    std::optional<int> expectedVersion; // If-Match: refused when the item moved on
    bool isEmpty() const;
    // The change as a new item: absent fields take the defaults of a draft.
    ContentDraft toDraft() const;
};

// The result of an import: how many items were made, and each refused
// record with its position (1-based) and reason. Nothing is made when any
// record is refused.
struct ImportReport
{
    int imported = 0;
    std::vector<std::pair<int, Error>> rejected;
};

struct CategoryDraft
{
    QString name;
    QString description;
    QString parentId;            // empty: a root
    std::optional<QString> slug; // made from the name when absent
};

struct CategoryChange
{
    std::optional<QString> name;
    std::optional<QString> description;
    std::optional<QString> slug;
    std::optional<QString> parentId; // a move; empty: to the root
};

// Two texts of one field the server could not merge: the one kept and the
// one that lost, until a person settles it.
struct ContentConflict
{
    QString id;
    QString contentId;
    QString field; // "body"
    QString keptText;
    QString losingText;
    QString losingActorId;
    qint64 recordedAtMs = 0;
    nlohmann::json toJson() const;
};

struct TagCount
{
    QString tag;
    int count = 0;
};

// A typed link between two items: "related", "series" (ordered by
// position) or "translation-of". Listed from one item, pointing out from it
// or in to it.
struct Relation
{
    QString kind;
    QString otherId;
    QString otherTitle;
    bool outgoing = true;
    int position = 0;
    nlohmann::json toJson() const;
};

class ContentService final
{
public:
    using Clock = std::function<qint64()>; // epoch milliseconds
    ContentService(Database &db, EventLog &log, Clock clock = {});
    ~ContentService();
    static void registerMigrations(MigrationRegistry &registry);

    Result<ContentItem> create(const Actor &actor, const ContentDraft &draft);
    Result<ContentItem> update(const Actor &actor, const QString &id, const ContentChange &change);
    Result<void> remove(const Actor &actor, const QString &id,
                        std::optional<int> expectedVersion = {});

    // An item the actor may see; NotFound otherwise (existence is not revealed).
    Result<ContentItem> get(const Actor &actor, const QString &id);
    Result<ContentPage> list(const Actor &actor, ContentQuery query);
    // Changes whenever anything list() or listPublished() could answer may
    // have changed (per thread): lets callers cache rendered listings.
    Result<QString> listingState();
    // get() as the API answers it: the item's JSON, rendered straight from
    // its row (ContentStore::renderedItem).
    Result<RenderedItem> getRendered(const Actor &actor, const QString &id);
    // What anyone may read: a published item, rendered as getRendered's.
    Result<RenderedItem> getPublishedRendered(const QString &id);
    Result<ContentPage> listPublished(ContentQuery query);

    // Versions of an item whose editor (or author) the actor is.
    Result<std::vector<ContentVersion>> versions(const Actor &actor, const QString &id);
    // The item's fields as of version n: {title, slug, ..., tags, categories}.
    Result<nlohmann::json> versionState(const Actor &actor, const QString &id, int n);
    // Field by field: {field: {from, to}} for the fields that differ.
    Result<nlohmann::json> diff(const Actor &actor, const QString &id, int from, int to);
    // Makes version n's fields current again, as a new version.
    Result<ContentItem> restore(const Actor &actor, const QString &id, int n,
                                std::optional<int> expectedVersion = {});

    // Fires the schedules due at the clock's now: publishes items in draft or
    // review whose publishAt has come, withdraws (archives) published items
    // whose unpublishAt has come. Returns how many items changed.
    Result<int> runSchedules();

    // Taxonomy: hierarchical categories and free tags. Reading is for every
    // role; changing needs taxonomy.manage.
    Result<std::vector<Category>> categories(const Actor &actor);
    Result<Category> category(const Actor &actor, const QString &id);
    Result<Category> createCategory(const Actor &actor, const CategoryDraft &draft);
    // A move may not make a category its own ancestor.
    Result<Category> updateCategory(const Actor &actor, const QString &id,
                                    const CategoryChange &change);
    // Items in the category move to reassignTo (required when there are any);
    // its children move up to its parent.
    Result<void> deleteCategory(const Actor &actor, const QString &id, const QString &reassignTo);
    // Tags with how many items the actor may see carry each, most used first.
    Result<std::vector<TagCount>> tags(const Actor &actor, const QString &prefix = {});
    // Renames a tag on every item (merging into `to` where it exists): the
    // number of items changed. Each item's change is an ordinary update.
    Result<int> renameTag(const Actor &actor, const QString &from, const QString &to);
    Result<int> mergeTags(const Actor &actor, const QStringList &from, const QString &to);

    // Relationships: only to and from live items; a deleted item's links vanish.
    Result<std::vector<Relation>> relations(const Actor &actor, const QString &id);
    Result<void> link(const Actor &actor, const QString &id, const QString &kind,
                      const QString &toId, int position = 0);
    Result<void> unlink(const Actor &actor, const QString &id, const QString &kind,
                        const QString &toId);

    // Creates all the drafts in one transaction, or none.
    Result<ImportReport> importItems(const Actor &actor, const std::vector<ContentDraft> &drafts);

    // Open conflicts of an item (or of every item the actor may edit, for an
    // empty id): texts the server could not merge, kept for a person to settle.
    Result<std::vector<ContentConflict>> conflicts(const Actor &actor, const QString &id = {});
    // Settles a conflict; with a body, that text becomes the item's body.
    Result<void> resolveConflict(const Actor &actor, const QString &id, const QString &conflictId,
                                 const std::optional<QString> &body = {});

    // How content events replicate (see backend/events/replication.h).
    ReplicationHandler &replication();

private:
    friend class ContentReplication;
    struct Prepared
    {
        QString id;
        NewEvent event;
    };
    // Whether the actor may read the item (published, own, or an editor's).
    static bool visible(const Actor &actor, ContentStatus status, const QString &authorId);
    Result<void> checkParent(Transaction &tx, const QString &id, const QString &parentId);
    // A pushed category change, checked as updateCategory checks one.
    Result<void> checkCategoryChange(Transaction &tx, const QString &id,
                                     const CategoryChange &change, bool creating);
    Result<ContentItem> readForChange(const Actor &actor, const QString &id);
    Result<void> commit(Transaction &tx, NewEvent event);
    Result<Prepared> prepareCreate(Transaction &tx, const Actor &actor, const ContentDraft &draft);
    Result<std::vector<NewEvent>> changeEvents(Transaction &tx, const Actor &actor,
                                               const ContentItem &current,
                                               const ContentChange &change, qint64 nowMs,
                                               bool bySchedule = false);
    // The fields as of version n, as the events store them.
    Result<nlohmann::json> foldedState(const Actor &actor, const QString &id, int n);
    Result<Category> readCategory(const QString &id);
    Result<void> editable(const Actor &actor, const ContentItem &item);

    Database &m_db;
    EventLog &m_log;
    Clock m_clock;
    std::unique_ptr<ContentStore> m_store;
    std::unique_ptr<ContentProjection> m_projection;
    std::unique_ptr<ContentReplication> m_replication;
    // Item ids in creation order (UUIDv7): a new item's rows and index
    // entries land at the end of every index keyed by it, not at random.
    UuidV7Generator m_ids;
};

} // namespace colophon
