// SPDX-License-Identifier: MIT
#include "services/content/contentprojection.h"

#include "backend/core/sha256.h"
#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"
#include "backend/events/event.h"
#include "services/content/content.h"

#include <QMap>

namespace colophon {

namespace {

using namespace contentevents;

// API field -> column, and how the JSON value is stored.
enum class Kind { Text, Json, Millis };
struct Column
{
    const char *name;
    Kind kind;
};

const QMap<QString, Column> &columns()
{
    static const QMap<QString, Column> map{
        {QStringLiteral("title"), {"title", Kind::Text}},
        {QStringLiteral("slug"), {"slug", Kind::Text}},
        {QStringLiteral("description"), {"description", Kind::Text}},
        {QStringLiteral("body"), {"body", Kind::Text}},
        {QStringLiteral("type"), {"type", Kind::Text}},
        {QStringLiteral("status"), {"status", Kind::Text}},
        {QStringLiteral("authorId"), {"author_id", Kind::Text}},
        {QStringLiteral("metadata"), {"metadata", Kind::Json}},
        {QStringLiteral("mediaIds"), {"media_ids", Kind::Json}},
        {QStringLiteral("publishedAt"), {"published_at", Kind::Millis}},
        {QStringLiteral("publishAt"), {"publish_at", Kind::Millis}},
        {QStringLiteral("unpublishAt"), {"unpublish_at", Kind::Millis}},
    };
    return map;
}

// A field's value as its column stores it: text (NULL when a text field
// holds no string), JSON dumped to text, or milliseconds.
struct StoredValue
{
    enum class Type { Null, Text, Integer } type = Type::Null;
    std::string text;
    qint64 integer = 0;
};

StoredValue stored(const Column &column, const nlohmann::json &value)
{
    switch (column.kind) {
    case Kind::Text:
        return value.is_string() ? StoredValue{StoredValue::Type::Text, value.get<std::string>(), 0}
                                 : StoredValue{};
    case Kind::Json:
        return {StoredValue::Type::Text, value.dump(), 0};
    case Kind::Millis:
        return {
            StoredValue::Type::Integer, {}, value.is_number_integer() ? value.get<qint64>() : 0};
    }
    return {};
}

// The same for a QVariant list of values (a null QString binds NULL).
QVariant variantOf(const StoredValue &v)
{
    switch (v.type) {
    case StoredValue::Type::Text:
        return QString::fromStdString(v.text);
    case StoredValue::Type::Integer:
        return v.integer;
    case StoredValue::Type::Null:
        break;
    }
    return QString();
}

void bindStored(Statement &s, int index, const StoredValue &v)
{
    switch (v.type) {
    case StoredValue::Type::Text:
        s.bind(index, v.text);
        return;
    case StoredValue::Type::Integer:
        s.bind(index, v.integer);
        return;
    case StoredValue::Type::Null:
        s.bindNull(index);
        return;
    }
}

QStringList strings(const nlohmann::json &payload, const char *key)
{
    QStringList out;
    if (payload.contains(key) && payload[key].is_array()) {
        for (const auto &v : payload[key]) {
            if (v.is_string()) {
                out << QString::fromStdString(v.get<std::string>());
            }
        }
    }
    return out;
}

Result<void> done(const Result<int> &changed)
{
    if (!changed) {
        return fail(changed.error());
    }
    return {};
}

// Adds or removes members of one of an item's sets, each by its stamp.
Result<void> changeSet(Transaction &tx, const char *table, const char *member, const QString &id,
                       const QStringList &values, const char *stampColumn, const QString &hlc)
{
    for (const QString &value : values) {
        if (auto ok = done(tx.run(

                QStringLiteral("INSERT INTO %1 (content_id, %2, %3) VALUES (?, ?, ?) ON CONFLICT "
                               "(content_id, %2) DO UPDATE SET %3 = MAX(%3, excluded.%3)")
                    .arg(QLatin1String(table), QLatin1String(member), QLatin1String(stampColumn)),
                {id, value, hlc}));
            !ok) {
            return ok;
        }
    }
    return {};
}

// The present members of a set, sorted, as the JSON array the item row keeps.
Result<QString> presentMembers(Transaction &tx, const char *table, const char *member,
                               const QString &id)
{
    auto q = tx.statement(QStringLiteral("SELECT %2 FROM %1 WHERE content_id = ? AND added > "
                                         "removed ORDER BY %2")
                              .arg(QLatin1String(table), QLatin1String(member))
                              .toStdString());
    if (!q) {
        return fail(q.error());
    }
    q->bind(1, id);
    nlohmann::json out = nlohmann::json::array();
    for (;;) {
        auto row = q->next();
        if (!row) {
            return fail(row.error());
        }
        if (!*row) {
            return QString::fromStdString(out.dump());
        }
        out.push_back(std::string(q->text(0)));
    }
}

// The per-field last-writer-wins update of one row of `table` (items and
// categories alike): its SET clauses and values. The row is made if missing;
// a deletion sets the earliest tombstone stamp and returns no clauses.
struct RowUpdate
{
    QStringList sets;
    QVariantList values;
    bool finished = false; // a deletion: nothing else to do
};

Result<RowUpdate> lastWriterWins(Transaction &tx, const char *table, const QString &id,
                                 const Event &event, bool deletion, bool creation,
                                 const QMap<QString, Column> &columnsOf)
{
    const QString hlc = event.hlc.toString();
    const qint64 at = event.hlc.physicalMs;
    const QString name = QLatin1String(table);
    if (auto row = done(tx.run(

            QStringLiteral("INSERT INTO %1 (id) VALUES (?) ON CONFLICT (id) DO NOTHING").arg(name),
            {id}));
        !row) {
        return fail(row.error());
    }
    RowUpdate update;
    if (deletion) {
        // The earliest deletion stamp, whichever arrives first: the same everywhere.
        auto tombstone = done(
            tx.run(QStringLiteral("UPDATE %1 SET deleted_hlc = CASE WHEN deleted_hlc IS NULL OR "
                                  "deleted_hlc > ? THEN ? ELSE deleted_hlc END, updated_at = "
                                  "MAX(updated_at, ?) WHERE id = ?")
                       .arg(name),
                   {hlc, hlc, at, id}));
        if (!tombstone) {
            return fail(tombstone.error());
        }
        update.finished = true;
        return update;
    }
    auto current =
        tx.statement(QStringLiteral("SELECT clocks FROM %1 WHERE id = ?").arg(name).toStdString());
    if (!current) {
        return fail(current.error());
    }
    auto found = current->bind(1, id).next();
    if (!found) {
        return fail(found.error());
    }
    nlohmann::json clocks =
        nlohmann::json::parse(*found ? current->text(0) : std::string_view(), nullptr, false);
    if (!clocks.is_object()) {
        clocks = nlohmann::json::object();
    }
    const nlohmann::json &p = event.payload;
    const nlohmann::json changes =
        p.contains("changes") && p["changes"].is_object() ? p["changes"] : nlohmann::json::object();
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const auto column = columnsOf.find(QString::fromStdString(it.key()));
        if (column == columnsOf.end()) {
            continue; // a field this version does not know: kept in the event, not projected
        }
        const std::string held = clocks.value(it.key(), std::string());
        if (!held.empty() && QString::fromStdString(held) >= hlc) {
            continue; // a later value is already held
        }
        clocks[it.key()] = hlc.toStdString();
        update.sets << QStringLiteral("%1 = ?").arg(QLatin1String(column->name));
        update.values << variantOf(stored(*column, it.value()));
        if (it.key() == "body") {
            update.sets << QStringLiteral("body_hash = ?");
            update.values << bodyHash(update.values.last().toString());
        }
    }
    if (creation) {
        update.sets << QStringLiteral("created = 1") << QStringLiteral("created_at = ?");
        update.values << at;
    }
    update.sets << QStringLiteral("clocks = ?")
                << QStringLiteral("updated_at = MAX(updated_at, ?)");
    update.values << QString::fromStdString(clocks.dump()) << at;
    return update;
}

Result<void> runUpdate(Transaction &tx, const char *table, const QString &id, RowUpdate update)
{
    update.values << id;
    return done(tx.run(QStringLiteral("UPDATE %1 SET %2 WHERE id = ?")
                           .arg(QLatin1String(table), update.sets.join(QLatin1String(", "))),
                       update.values));
}

// The version an item's event makes, keyed by the event: true when new. Its
// change is read from the logged event (ContentProjection::versionChange).
Result<bool> insertVersion(Transaction &tx, const Event &event, const QString &id)
{
    auto version =
        tx.run(QStringLiteral(
                   "INSERT INTO content_versions (event_id, content_id, hlc, kind, actor_id, "
                   "at, change) VALUES (?, ?, ?, ?, ?, ?, '') ON CONFLICT (event_id) DO NOTHING"),
               {event.id.toString(QUuid::WithoutBraces), id, event.hlc.toString(), event.type,
                event.actorId.isNull() ? QStringLiteral("") : event.actorId,
                qint64(event.hlc.physicalMs)});
    if (!version) {
        return fail(version.error());
    }
    return *version > 0;
}

// A creation whose item no event has touched yet (the usual case): the whole
// row in one INSERT. False when the row exists; the general path applies it.
Result<bool> insertCreated(Transaction &tx, const QString &id, const Event &event)
{
    const nlohmann::json &p = event.payload;
    const QString hlc = event.hlc.toString();
    const std::string hlcText = hlc.toStdString();
    const qint64 at = event.hlc.physicalMs;
    // A fresh row has no set members but these: sorted as the general path sorts them.
    const auto members = [&](const char *key) {
        std::vector<std::string> v;
        for (const QString &m : strings(p, key)) {
            v.push_back(m.toStdString());
        }
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return nlohmann::json(v).dump();
    };
    // The statement is written and bound here, typed, rather than through
    // QVariants: the same fields make the same text, so SQLite's prepared
    // statement is reused (this was a sixth of an import's own CPU).
    std::string sql = "INSERT INTO content_items (id, created, created_at, updated_at, version, "
                      "tags, categories";
    std::vector<StoredValue> values;
    nlohmann::json clocks = nlohmann::json::object();
    if (p.contains("changes") && p["changes"].is_object()) {
        for (auto it = p["changes"].begin(); it != p["changes"].end(); ++it) {
            const auto column = columns().find(QString::fromStdString(it.key()));
            if (column == columns().end()) {
                continue;
            }
            clocks[it.key()] = hlcText;
            sql += ", ";
            sql += column->name;
            values.push_back(stored(*column, it.value()));
            if (it.key() == "body") {
                sql += ", body_hash";
                const QString hash = sha256Hex(QByteArrayView(values.back().text));
                values.push_back({StoredValue::Type::Text, hash.toStdString(), 0});
            }
        }
    }
    sql += ", clocks) VALUES (?, 1, ?, ?, 1, ?, ?";
    for (std::size_t i = 0; i <= values.size(); ++i) {
        sql += ", ?";
    }
    sql += ") ON CONFLICT (id) DO NOTHING";
    auto insert = tx.statement(sql);
    if (!insert) {
        return fail(insert.error());
    }
    insert->bind(1, id).bind(2, at).bind(3, at);
    insert->bind(4, members("tagsAdded")).bind(5, members("categoriesAdded"));
    int index = 6;
    for (const StoredValue &v : values) {
        bindStored(*insert, index++, v);
    }
    insert->bind(index, clocks.dump());
    auto inserted = insert->run();
    if (!inserted) {
        return fail(inserted.error());
    }
    if (*inserted == 0) {
        return false;
    }
    if (auto ok = changeSet(tx, "content_tags", "tag", id, strings(p, "tagsAdded"), "added", hlc);
        !ok) {
        return fail(ok.error());
    }
    if (auto ok = changeSet(tx, "content_item_categories", "category_id", id,
                            strings(p, "categoriesAdded"), "added", hlc);
        !ok) {
        return fail(ok.error());
    }
    if (auto version = insertVersion(tx, event, id); !version) {
        return fail(version.error());
    }
    return true;
}

} // namespace

void ContentProjection::registerMigrations(MigrationRegistry &registry)
{
    registry.add(
        {QStringLiteral("content"),
         1,
         QStringLiteral("items, their sets and versions"),
         {
             QStringLiteral("CREATE TABLE content_items ("
                            " id TEXT PRIMARY KEY,"
                            " created INTEGER NOT NULL DEFAULT 0,"
                            " type TEXT NOT NULL DEFAULT 'article',"
                            " slug TEXT NOT NULL DEFAULT '',"
                            " title TEXT NOT NULL DEFAULT '',"
                            " description TEXT NOT NULL DEFAULT '',"
                            " body TEXT NOT NULL DEFAULT '',"
                            " body_hash TEXT NOT NULL DEFAULT '',"
                            " status TEXT NOT NULL DEFAULT 'draft',"
                            " author_id TEXT NOT NULL DEFAULT '',"
                            " metadata TEXT NOT NULL DEFAULT '{}',"
                            " media_ids TEXT NOT NULL DEFAULT '[]',"
                            " tags TEXT NOT NULL DEFAULT '[]',"
                            " categories TEXT NOT NULL DEFAULT '[]',"
                            " published_at INTEGER NOT NULL DEFAULT 0,"
                            " publish_at INTEGER NOT NULL DEFAULT 0,"
                            " unpublish_at INTEGER NOT NULL DEFAULT 0,"
                            " created_at INTEGER NOT NULL DEFAULT 0,"
                            " updated_at INTEGER NOT NULL DEFAULT 0,"
                            " version INTEGER NOT NULL DEFAULT 0,"
                            " clocks TEXT NOT NULL DEFAULT '{}',"
                            " deleted_hlc TEXT)"),
             // Partial indexes over live items: listings filter on exactly
             // "created = 1 AND deleted_hlc IS NULL", so counts and pages read
             // the index alone.
             QStringLiteral("CREATE INDEX content_items_status ON content_items "
                            "(status, updated_at, id) WHERE created = 1 AND deleted_hlc IS NULL"),
             QStringLiteral("CREATE INDEX content_items_updated ON content_items (updated_at, id) "
                            "WHERE created = 1 AND deleted_hlc IS NULL"),
             QStringLiteral("CREATE INDEX content_items_published ON content_items "
                            "(status, published_at, id) WHERE created = 1 AND deleted_hlc IS NULL"),
             QStringLiteral("CREATE INDEX content_items_slug ON content_items (type, slug)"),
             QStringLiteral("CREATE INDEX content_items_author ON content_items "
                            "(author_id, updated_at)"),
             QStringLiteral("CREATE INDEX content_items_schedule ON content_items "
                            "(publish_at, unpublish_at)"),
             QStringLiteral("CREATE TABLE content_tags ("
                            " content_id TEXT NOT NULL,"
                            " tag TEXT NOT NULL,"
                            " added TEXT NOT NULL DEFAULT '',"
                            " removed TEXT NOT NULL DEFAULT '',"
                            " PRIMARY KEY (content_id, tag))"),
             QStringLiteral("CREATE INDEX content_tags_tag ON content_tags (tag)"),
             QStringLiteral("CREATE TABLE content_item_categories ("
                            " content_id TEXT NOT NULL,"
                            " category_id TEXT NOT NULL,"
                            " added TEXT NOT NULL DEFAULT '',"
                            " removed TEXT NOT NULL DEFAULT '',"
                            " PRIMARY KEY (content_id, category_id))"),
             QStringLiteral("CREATE INDEX content_item_categories_category ON "
                            "content_item_categories (category_id)"),
             QStringLiteral("CREATE TABLE content_versions ("
                            " event_id TEXT PRIMARY KEY,"
                            " content_id TEXT NOT NULL,"
                            " hlc TEXT NOT NULL,"
                            " kind TEXT NOT NULL,"
                            " actor_id TEXT NOT NULL,"
                            " at INTEGER NOT NULL,"
                            " change TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX content_versions_item ON content_versions "
                            "(content_id, hlc)"),
             QStringLiteral("CREATE TABLE content_categories ("
                            " id TEXT PRIMARY KEY,"
                            " created INTEGER NOT NULL DEFAULT 0,"
                            " name TEXT NOT NULL DEFAULT '',"
                            " description TEXT NOT NULL DEFAULT '',"
                            " parent_id TEXT NOT NULL DEFAULT '',"
                            " slug TEXT NOT NULL DEFAULT '',"
                            " created_at INTEGER NOT NULL DEFAULT 0,"
                            " updated_at INTEGER NOT NULL DEFAULT 0,"
                            " clocks TEXT NOT NULL DEFAULT '{}',"
                            " deleted_hlc TEXT)"),
             QStringLiteral("CREATE INDEX content_categories_parent ON content_categories "
                            "(parent_id)"),
             QStringLiteral("CREATE TABLE content_relations ("
                            " from_id TEXT NOT NULL,"
                            " to_id TEXT NOT NULL,"
                            " kind TEXT NOT NULL,"
                            " position INTEGER NOT NULL DEFAULT 0,"
                            " added TEXT NOT NULL DEFAULT '',"
                            " removed TEXT NOT NULL DEFAULT '',"
                            " PRIMARY KEY (from_id, to_id, kind))"),
             QStringLiteral("CREATE INDEX content_relations_to ON content_relations (to_id)"),
         },
         {}});
    registry.add(
        {QStringLiteral("content"),
         2,
         QStringLiteral("an index per schedule time"),
         {
             // The scheduler asks every second which times are due: one index
             // per time, holding only the items that have one (was a scan).
             QStringLiteral("DROP INDEX content_items_schedule"),
             QStringLiteral("CREATE INDEX content_items_publish_at ON content_items (publish_at) "
                            "WHERE publish_at > 0"),
             QStringLiteral("CREATE INDEX content_items_unpublish_at ON content_items "
                            "(unpublish_at) WHERE unpublish_at > 0"),
         },
         {}});
    registry.add({QStringLiteral("content"),
                  3,
                  QStringLiteral("conflicts the server could not merge"),
                  {
                      QStringLiteral("CREATE TABLE content_conflicts ("
                                     " id TEXT PRIMARY KEY,"
                                     " content_id TEXT NOT NULL DEFAULT '',"
                                     " field TEXT NOT NULL DEFAULT '',"
                                     " kept_text TEXT NOT NULL DEFAULT '',"
                                     " losing_text TEXT NOT NULL DEFAULT '',"
                                     " losing_actor_id TEXT NOT NULL DEFAULT '',"
                                     " event_id TEXT NOT NULL DEFAULT '',"
                                     " recorded_hlc TEXT NOT NULL DEFAULT '',"
                                     " resolved_hlc TEXT)"),
                      QStringLiteral("CREATE INDEX content_conflicts_item ON content_conflicts "
                                     "(content_id) WHERE resolved_hlc IS NULL"),
                  },
                  {}});
}

nlohmann::json ContentProjection::versionChange(const nlohmann::json &payload)
{
    nlohmann::json change = nlohmann::json::object();
    if (!payload.is_object()) {
        return change;
    }
    for (const char *key : {"changes", "tagsAdded", "tagsRemoved", "categoriesAdded",
                            "categoriesRemoved", "comment", "restoredVersion", "baseBodyHash"}) {
        if (payload.contains(key)) {
            change[key] = payload[key];
        }
    }
    return change;
}

QString ContentProjection::versionChangeSql()
{
    // Every version's event is in the log: apply() only ever sees stored events.
    return QStringLiteral("v.change, e.payload FROM content_versions v LEFT JOIN event_log e ON "
                          "e.id = v.event_id");
}

nlohmann::json ContentProjection::versionChange(const QString &change, const QString &payload)
{
    if (!change.isEmpty()) {
        return nlohmann::json::parse(change.toStdString(), nullptr, false);
    }
    return versionChange(nlohmann::json::parse(payload.toStdString(), nullptr, false));
}

bool ContentProjection::handles(const QString &eventType)
{
    for (const char *type : {kCreated, kUpdated, kStatusChanged, kPublished, kVersionRestored,
                             kDeleted, kLinked, kUnlinked, kCategoryCreated, kCategoryUpdated,
                             kCategoryDeleted, kConflictRecorded, kConflictResolved}) {
        if (eventType == QLatin1String(type)) {
            return true;
        }
    }
    return false;
}

Result<void> ContentProjection::apply(Transaction &tx, const Event &event) const
{
    if (event.type.startsWith(QLatin1String("Category"))) {
        return applyCategory(tx, event);
    }
    if (event.type == QLatin1String(kLinked) || event.type == QLatin1String(kUnlinked)) {
        return applyLink(tx, event);
    }
    if (event.type == QLatin1String(kConflictRecorded) ||
        event.type == QLatin1String(kConflictResolved)) {
        return applyConflict(tx, event);
    }
    return applyItem(tx, event);
}

Result<void> ContentProjection::reset(Transaction &tx, const QString &stream)
{
    const qsizetype slash = stream.indexOf(u'/');
    const QString kind = stream.left(slash);
    const QString id = stream.mid(slash + 1);
    QStringList statements;
    if (kind == QLatin1String("content")) {
        statements = {QStringLiteral("DELETE FROM content_items WHERE id = ?"),
                      QStringLiteral("DELETE FROM content_tags WHERE content_id = ?"),
                      QStringLiteral("DELETE FROM content_item_categories WHERE content_id = ?"),
                      QStringLiteral("DELETE FROM content_versions WHERE content_id = ?"),
                      QStringLiteral("DELETE FROM content_relations WHERE from_id = ?"),
                      QStringLiteral("DELETE FROM content_conflicts WHERE content_id = ?")};
    } else if (kind == QLatin1String("category")) {
        statements = {QStringLiteral("DELETE FROM content_categories WHERE id = ?")};
    } else {
        return fail(Error::invalid(QStringLiteral("%1 is not a content stream").arg(stream)));
    }
    for (const QString &sql : statements) {
        if (auto ok = done(tx.run(sql, {id})); !ok) {
            return ok;
        }
    }
    return {};
}

Result<void> ContentProjection::applyConflict(Transaction &tx, const Event &event) const
{
    const nlohmann::json &p = event.payload;
    const auto text = [&](const char *key) {
        return p.contains(key) && p[key].is_string()
                   ? QString::fromStdString(p[key].get<std::string>())
                   : QString();
    };
    const QString conflictId = text("conflictId");
    if (conflictId.isEmpty()) {
        return fail(Error::invalid(QStringLiteral("%1 without a conflictId").arg(event.type)));
    }
    const QString hlc = event.hlc.toString();
    if (event.type == QLatin1String(kConflictResolved)) {
        // The earliest settlement stands, whichever arrives first.
        return done(tx.run(
            QStringLiteral("INSERT INTO content_conflicts (id, content_id, resolved_hlc) VALUES "
                           "(?, ?, ?) ON CONFLICT (id) DO UPDATE SET resolved_hlc = CASE WHEN "
                           "resolved_hlc IS NULL OR resolved_hlc > excluded.resolved_hlc THEN "
                           "excluded.resolved_hlc ELSE resolved_hlc END"),
            {conflictId, text("id"), hlc}));
    }
    return done(tx.run(
        QStringLiteral("INSERT INTO content_conflicts (id, content_id, field, kept_text, "
                       "losing_text, losing_actor_id, event_id, recorded_hlc) VALUES (?, ?, ?, ?, "
                       "?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET field = excluded.field, "
                       "kept_text = excluded.kept_text, losing_text = excluded.losing_text, "
                       "losing_actor_id = excluded.losing_actor_id, event_id = excluded.event_id, "
                       "recorded_hlc = excluded.recorded_hlc"),
        {conflictId, text("id"), text("field"), text("keptText"), text("losingText"),
         text("losingActorId"), text("eventId"), hlc}));
}

Result<void> ContentProjection::applyCategory(Transaction &tx, const Event &event) const
{
    static const QMap<QString, Column> categoryColumns{
        {QStringLiteral("name"), {"name", Kind::Text}},
        {QStringLiteral("description"), {"description", Kind::Text}},
        {QStringLiteral("slug"), {"slug", Kind::Text}},
        {QStringLiteral("parentId"), {"parent_id", Kind::Text}}};
    const nlohmann::json &p = event.payload;
    if (!p.contains("id") || !p["id"].is_string()) {
        return fail(Error::invalid(QStringLiteral("%1 without an id").arg(event.type)));
    }
    const QString id = QString::fromStdString(p["id"].get<std::string>());
    auto update = lastWriterWins(tx, "content_categories", id, event,
                                 event.type == QLatin1String(kCategoryDeleted),
                                 event.type == QLatin1String(kCategoryCreated), categoryColumns);
    if (!update) {
        return fail(update.error());
    }
    return update->finished ? Result<void>()
                            : runUpdate(tx, "content_categories", id, std::move(*update));
}

Result<void> ContentProjection::applyLink(Transaction &tx, const Event &event) const
{
    const nlohmann::json &p = event.payload;
    for (const char *key : {"id", "to", "kind"}) {
        if (!p.contains(key) || !p[key].is_string()) {
            return fail(Error::invalid(QStringLiteral("%1 without %2").arg(event.type, key)));
        }
    }
    const QString from = QString::fromStdString(p["id"].get<std::string>());
    const QString to = QString::fromStdString(p["to"].get<std::string>());
    const QString kind = QString::fromStdString(p["kind"].get<std::string>());
    const QString hlc = event.hlc.toString();
    if (event.type == QLatin1String(kUnlinked)) {
        return done(tx.run(

            QStringLiteral("INSERT INTO content_relations (from_id, to_id, kind, removed) VALUES "
                           "(?, ?, ?, ?) ON CONFLICT (from_id, to_id, kind) DO UPDATE SET "
                           "removed = MAX(removed, excluded.removed)"),
            {from, to, kind, hlc}));
    }
    const int position = p.value("position", 0);
    // The position travels with the newest addition.
    return done(tx.run(
        QStringLiteral("INSERT INTO content_relations (from_id, to_id, kind, position, added) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (from_id, to_id, kind) DO UPDATE SET "
                       "position = CASE WHEN excluded.added > added THEN excluded.position ELSE "
                       "position END, added = MAX(added, excluded.added)"),
        {from, to, kind, position, hlc}));
}

Result<void> ContentProjection::applyItem(Transaction &tx, const Event &event) const
{
    const nlohmann::json &p = event.payload;
    if (!p.contains("id") || !p["id"].is_string()) {
        return fail(Error::invalid(QStringLiteral("%1 without an id").arg(event.type)));
    }
    const QString id = QString::fromStdString(p["id"].get<std::string>());
    const QString hlc = event.hlc.toString();
    if (event.type == QLatin1String(kPublished)) {
        return {}; // a notice for subscribers; the status change carries the state
    }
    if (event.type == QLatin1String(kCreated)) {
        auto fresh = insertCreated(tx, id, event);
        if (!fresh) {
            return fail(fresh.error());
        }
        if (*fresh) {
            return {};
        }
    }
    auto update =
        lastWriterWins(tx, "content_items", id, event, event.type == QLatin1String(kDeleted),
                       event.type == QLatin1String(kCreated), columns());
    if (!update) {
        return fail(update.error());
    }
    if (update->finished) {
        return {};
    }
    QStringList &sets = update->sets;
    QVariantList &values = update->values;

    // The sets, by add and remove stamps.
    const struct
    {
        const char *table;
        const char *member;
        const char *added;
        const char *removed;
        const char *column;
    } setSpecs[] = {
        {"content_tags", "tag", "tagsAdded", "tagsRemoved", "tags"},
        {"content_item_categories", "category_id", "categoriesAdded", "categoriesRemoved",
         "categories"},
    };
    for (const auto &spec : setSpecs) {
        const QStringList added = strings(p, spec.added);
        const QStringList removed = strings(p, spec.removed);
        if (added.isEmpty() && removed.isEmpty()) {
            continue;
        }
        if (auto ok = changeSet(tx, spec.table, spec.member, id, added, "added", hlc); !ok) {
            return ok;
        }
        if (auto ok = changeSet(tx, spec.table, spec.member, id, removed, "removed", hlc); !ok) {
            return ok;
        }
        auto members = presentMembers(tx, spec.table, spec.member, id);
        if (!members) {
            return fail(members.error());
        }
        sets << QStringLiteral("%1 = ?").arg(QLatin1String(spec.column));
        values << *members;
    }

    // The version this event makes, once.
    auto version = insertVersion(tx, event, id);
    if (!version) {
        return fail(version.error());
    }
    if (*version) {
        sets << QStringLiteral("version = version + 1");
    }
    return runUpdate(tx, "content_items", id, std::move(*update));
}

} // namespace colophon
