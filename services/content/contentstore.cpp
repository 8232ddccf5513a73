// SPDX-License-Identifier: MIT
#include "services/content/contentstore.h"

#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "services/content/contentprojection.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QSet>

namespace colophon {

namespace {

// The same columns with an empty body, for listings: bodies live in
// overflow pages that a summary need not read.
const QString kSummaryColumns = QStringLiteral(
    "id, title, slug, description, '', type, status, categories, tags, media_ids, author_id, "
    "metadata, published_at, publish_at, unpublish_at, created_at, updated_at, version, body_hash");
const QString kItemColumns = QStringLiteral(
    "id, title, slug, description, body, type, status, categories, tags, media_ids, author_id, "
    "metadata, published_at, publish_at, unpublish_at, created_at, updated_at, version, body_hash");

QStringList stringList(std::string_view jsonText)
{
    QStringList out;
    const nlohmann::json j = nlohmann::json::parse(jsonText, nullptr, false);
    if (j.is_array()) {
        for (const auto &v : j) {
            if (v.is_string()) {
                out << QString::fromStdString(v.get<std::string>());
            }
        }
    }
    return out;
}

// A row of kItemColumns or kSummaryColumns.
ContentItem itemFromRow(const Statement &q)
{
    ContentItem c;
    c.id = q.string(0);
    c.title = q.string(1);
    c.slug = q.string(2);
    c.description = q.string(3);
    c.body = q.string(4);
    c.type = parseContentType(q.string(5)).value_or(ContentType::Article);
    c.status = parseContentStatus(q.string(6)).value_or(ContentStatus::Draft);
    c.categories = stringList(q.text(7));
    c.tags = stringList(q.text(8));
    c.mediaIds = stringList(q.text(9));
    c.authorId = q.string(10);
    c.metadata = nlohmann::json::parse(q.text(11), nullptr, false);
    if (!c.metadata.is_object()) {
        c.metadata = nlohmann::json::object();
    }
    c.publishedAtMs = q.integer(12);
    c.publishAtMs = q.integer(13);
    c.unpublishAtMs = q.integer(14);
    c.createdAtMs = q.integer(15);
    c.updatedAtMs = q.integer(16);
    c.version = int(q.integer(17));
    c.bodyHash = q.string(18);
    return c;
}

const QString kLive = QStringLiteral("created = 1 AND deleted_hlc IS NULL");

} // namespace

nlohmann::json ContentVersion::toJson() const
{
    nlohmann::json fields = nlohmann::json::array();
    if (change.contains("changes") && change["changes"].is_object()) {
        for (auto it = change["changes"].begin(); it != change["changes"].end(); ++it) {
            fields.push_back(it.key());
        }
    }
    for (const auto &[field, added, removed] :
         {std::tuple{"tags", "tagsAdded", "tagsRemoved"},
          std::tuple{"categories", "categoriesAdded", "categoriesRemoved"}}) {
        const auto changed = [&](const char *set) {
            return change.contains(set) && !change[set].empty();
        };
        if (changed(added) || changed(removed)) {
            fields.push_back(field);
        }
    }
    nlohmann::json j = {
        {"number", number},
        {"eventId", eventId.toStdString()},
        {"kind", kind.toStdString()},
        {"actorId", actorId.toStdString()},
        {"createdAt",
         QDateTime::fromMSecsSinceEpoch(atMs, Qt::UTC).toString(Qt::ISODateWithMs).toStdString()},
        {"changedFields", fields}};
    if (change.contains("comment")) {
        j["comment"] = change["comment"];
    }
    if (change.contains("restoredVersion")) {
        j["restoredVersion"] = change["restoredVersion"];
    }
    return j;
}

namespace {

// Per thread, because SQLite's data_version is per connection and each
// thread has its own: a value changes when another connection commits.
struct CachedCount
{
    QString state; // stateToken() when counted
    qint64 total = 0;
};
thread_local QHash<QString, CachedCount> t_counts;
std::atomic<quint64> g_storeInstances{0};

} // namespace

ContentStore::ContentStore(Database &db) : m_db(db), m_instance(++g_storeInstances)
{
}

Result<QString> ContentStore::stateToken()
{
    // The generation first: a change this process commits meanwhile then
    // makes the token older, never newer, than what is read under it.
    const quint64 generation = m_generation.load();
    auto token = m_db.changeToken();
    if (!token) {
        return fail(token.error());
    }
    return QStringLiteral("%1.%2.%3.%4")
        .arg(m_instance)
        .arg(generation)
        .arg(token->commits)
        .arg(token->dataVersion);
}

Result<qint64> ContentStore::count(const QString &filter, const QVariantList &values)
{
    auto state = stateToken();
    if (!state) {
        return fail(state.error());
    }
    QString key = filter;
    for (const QVariant &v : values) {
        key += u'\x1f' + v.toString();
    }
    const auto hit = t_counts.constFind(key);
    if (hit != t_counts.cend() && hit->state == *state) {
        return hit->total;
    }
    auto counted = m_db.statement(
        (QStringLiteral("SELECT COUNT(*) FROM content_items WHERE ") + filter).toStdString());
    if (!counted) {
        return fail(counted.error());
    }
    counted->bindAll(values);
    auto row = counted->next();
    if (!row) {
        return fail(row.error());
    }
    const qint64 total = *row ? counted->integer(0) : 0;
    if (t_counts.size() > 1000) {
        t_counts.clear(); // many distinct filters: start over rather than grow
    }
    t_counts.insert(key, {*state, total});
    return total;
}

const QStringList &ContentStore::sortFields()
{
    static const QStringList fields{QStringLiteral("title"),     QStringLiteral("createdAt"),
                                    QStringLiteral("updatedAt"), QStringLiteral("publishedAt"),
                                    QStringLiteral("status"),    QStringLiteral("type"),
                                    QStringLiteral("slug")};
    return fields;
}

namespace {

const std::string &itemSql()
{
    static const std::string sql =
        QStringLiteral("SELECT %1 FROM content_items WHERE id = ? AND %2")
            .arg(kItemColumns, kLive)
            .toStdString();
    return sql;
}

// A JSON column's text, or the empty value when it is not of that kind.
std::string_view jsonOr(const Statement &q, int column, std::string_view empty)
{
    const std::string_view text = q.text(column);
    return !text.empty() && text.front() == empty.front() ? text : empty;
}

// The API's JSON of a row of kItemColumns, and what deciding visibility needs.
RenderedItem renderedFromRow(const Statement &q)
{
    // Columns as kItemColumns orders them; names as itemFromRow reads them.
    RenderedItem out;
    out.authorId = q.string(10);
    out.status = parseContentStatus(q.string(6)).value_or(ContentStatus::Draft);
    out.version = int(q.integer(17));
    const std::string status = contentStatusName(out.status).toStdString();
    const std::string type =
        contentTypeName(parseContentType(q.string(5)).value_or(ContentType::Article)).toStdString();
    ContentItemText t{q.text(10), q.text(4), q.text(18),         jsonOr(q, 7, "[]"),
                      q.text(3),  q.text(0), jsonOr(q, 9, "[]"), jsonOr(q, 11, "{}"),
                      q.text(2),  status,    jsonOr(q, 8, "[]"), q.text(1),
                      type};
    t.publishedAtMs = q.integer(12);
    t.publishAtMs = q.integer(13);
    t.unpublishAtMs = q.integer(14);
    t.createdAtMs = q.integer(15);
    t.updatedAtMs = q.integer(16);
    t.version = out.version;
    out.json = renderContentItem(t, true);
    return out;
}

// The live item's row, made into a T by make; none when there is no such item.
template <typename T, typename Make>
Result<std::optional<T>> readItem(Database &db, const QString &id, Make &&make)
{
    auto q = db.statement(itemSql());
    if (!q) {
        return fail(q.error());
    }
    auto row = q->bind(1, id).next();
    if (!row) {
        return fail(row.error());
    }
    if (!*row) {
        return std::optional<T>();
    }
    return std::optional<T>(make(*q));
}

} // namespace

Result<std::optional<ContentItem>> ContentStore::item(const QString &id)
{
    return readItem<ContentItem>(m_db, id, itemFromRow);
}

Result<std::optional<RenderedItem>> ContentStore::renderedItem(const QString &id)
{
    return readItem<RenderedItem>(m_db, id, renderedFromRow);
}

Result<ContentPage> ContentStore::list(const ContentQuery &query)
{
    static const QMap<QString, QString> sortColumns{
        {QStringLiteral("title"), QStringLiteral("title COLLATE NOCASE")},
        {QStringLiteral("createdAt"), QStringLiteral("created_at")},
        {QStringLiteral("updatedAt"), QStringLiteral("updated_at")},
        {QStringLiteral("publishedAt"), QStringLiteral("published_at")},
        {QStringLiteral("status"), QStringLiteral("status")},
        {QStringLiteral("type"), QStringLiteral("type")},
        {QStringLiteral("slug"), QStringLiteral("slug COLLATE NOCASE")}};
    QStringList where{kLive};
    QVariantList values;
    if (query.onlyPublished) {
        where << QStringLiteral("status = 'published'");
    } else if (!query.visibleTo.isEmpty()) {
        where << QStringLiteral("(status = 'published' OR author_id = ?)");
        values << query.visibleTo;
    }
    if (query.status) {
        where << QStringLiteral("status = ?");
        values << contentStatusName(*query.status);
    }
    if (query.type) {
        where << QStringLiteral("type = ?");
        values << contentTypeName(*query.type);
    }
    if (!query.authorId.isEmpty()) {
        where << QStringLiteral("author_id = ?");
        values << query.authorId;
    }
    if (!query.tag.isEmpty()) {
        where << QStringLiteral("id IN (SELECT content_id FROM content_tags WHERE tag = ? AND "
                                "added > removed)");
        values << query.tag;
    }
    if (!query.categoryId.isEmpty()) {
        where << QStringLiteral("id IN (SELECT content_id FROM content_item_categories WHERE "
                                "category_id = ? AND added > removed)");
        values << query.categoryId;
    }
    if (!query.text.isEmpty()) {
        QString pattern = query.text;
        pattern.replace(u'\\', QStringLiteral("\\\\"))
            .replace(u'%', QStringLiteral("\\%"))
            .replace(u'_', QStringLiteral("\\_"));
        where << QStringLiteral("title LIKE ? ESCAPE '\\'");
        values << u'%' + pattern + u'%';
    }
    if (query.updatedSinceMs > 0) {
        where << QStringLiteral("updated_at >= ?");
        values << query.updatedSinceMs;
    }
    const QString filter = where.join(QLatin1String(" AND "));
    auto total = count(filter, values);
    if (!total) {
        return fail(total.error());
    }
    ContentPage page;
    page.total = *total;
    if (page.total <= query.offset) {
        return page;
    }
    const QString column = sortColumns.value(query.sortField, QStringLiteral("updated_at"));
    const QString direction = query.descending ? QStringLiteral(" DESC") : QStringLiteral(" ASC");
    values << query.limit << query.offset;
    auto q = m_db.statement(
        QStringLiteral("SELECT %1 FROM content_items WHERE %2 ORDER BY %3%4, id%4 "
                       "LIMIT ? OFFSET ?")
            .arg(query.withBody ? kItemColumns : kSummaryColumns, filter, column, direction)
            .toStdString());
    if (!q) {
        return fail(q.error());
    }
    q->bindAll(values);
    for (;;) {
        auto row = q->next();
        if (!row) {
            return fail(row.error());
        }
        if (!*row) {
            return page;
        }
        page.items.push_back(itemFromRow(*q));
    }
}

Result<bool> ContentStore::slugTaken(Transaction &tx, ContentType type, const QString &slug,
                                     const QString &exceptId)
{
    auto q = tx.execCached(
        QStringLiteral("SELECT COUNT(*) FROM content_items WHERE type = ? AND "
                       "slug = ? AND id <> ? AND ") +
            kLive,
        {contentTypeName(type), slug, exceptId.isNull() ? QStringLiteral("") : exceptId});
    if (!q) {
        return fail(q.error());
    }
    return (*q)->next() && (*q)->value(0).toLongLong() > 0;
}

Result<QString> ContentStore::freeSlug(Transaction &tx, ContentType type, const QString &base)
{
    // A slug is letters, digits and hyphens, so the range from "base" up to
    // (not including) "base." holds exactly base and base-...: one index range.
    static const std::string sql =
        (QStringLiteral("SELECT slug FROM content_items WHERE type = ? AND slug >= ? AND slug < ? "
                        "AND ") +
         kLive)
            .toStdString();
    auto q = tx.statement(sql);
    if (!q) {
        return fail(q.error());
    }
    q->bind(1, contentTypeName(type)).bind(2, base).bind(3, base + u'.');
    QSet<int> taken;
    bool baseTaken = false;
    for (;;) {
        auto row = q->next();
        if (!row) {
            return fail(row.error());
        }
        if (!*row) {
            break;
        }
        const QString slug = q->string(0);
        if (slug == base) {
            baseTaken = true;
            continue;
        }
        bool ok = false;
        const int n = slug.mid(base.size() + 1).toInt(&ok);
        if (ok && n >= 2) {
            taken.insert(n);
        }
    }
    if (!baseTaken) {
        return base;
    }
    int n = 2;
    while (taken.contains(n)) {
        ++n;
    }
    const QString suffix = QStringLiteral("-%1").arg(n);
    return base.left(120 - suffix.size()) + suffix;
}

Result<std::vector<ContentVersion>> ContentStore::versions(const QString &id)
{
    auto q = execSql(m_db.connection(),
                     QStringLiteral("SELECT v.event_id, v.kind, v.actor_id, v.at, %1 WHERE "
                                    "v.content_id = ? ORDER BY v.hlc")
                         .arg(ContentProjection::versionChangeSql()),
                     {id});
    if (!q) {
        return fail(q.error());
    }
    std::vector<ContentVersion> out;
    while (q->next()) {
        ContentVersion v;
        v.number = static_cast<int>(out.size()) + 1;
        v.eventId = q->value(0).toString();
        v.kind = q->value(1).toString();
        v.actorId = q->value(2).toString();
        v.atMs = q->value(3).toLongLong();
        v.change = ContentProjection::versionChange(q->value(4).toString(), q->value(5).toString());
        out.push_back(std::move(v));
    }
    return out;
}

Result<std::vector<QString>> ContentStore::dueForSchedule(qint64 nowMs)
{
    // Two indexed range reads (an OR of the two would scan every item).
    auto q = execSql(m_db.connection(),
                     QStringLiteral("SELECT id FROM content_items WHERE publish_at > 0 AND "
                                    "publish_at <= ? AND %1 UNION SELECT id FROM content_items "
                                    "WHERE unpublish_at > 0 AND unpublish_at <= ? AND %1")
                         .arg(kLive),
                     {nowMs, nowMs});
    if (!q) {
        return fail(q.error());
    }
    std::vector<QString> ids;
    while (q->next()) {
        ids.push_back(q->value(0).toString());
    }
    return ids;
}

} // namespace colophon
