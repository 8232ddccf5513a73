// SPDX-License-Identifier: MIT
// Reads of the content projection (private to services/content). Only items
// that were created and not deleted are ever returned.
#pragma once

#include "services/content/content.h"

#include <atomic>
#include <optional>
#include <vector>

namespace colophon {

class Database;
class Transaction;

// A listing: filters, sort and page. Visibility is applied by the service
// through visibleTo/onlyPublished.
struct ContentQuery
{
    std::optional<ContentStatus> status;
    std::optional<ContentType> type;
    QString categoryId;
    QString tag;
    QString authorId;
    QString text; // in the title
    qint64 updatedSinceMs = 0;
    QString sortField; // one of ContentStore::sortFields(); empty: -updatedAt
    bool descending = true;
    bool withBody = false; // listings read and show bodies only when asked
    int limit = 20;
    qint64 offset = 0;
    // Set by the service from the caller's role:
    bool onlyPublished = false; // consumers and the public
    QString visibleTo;          // creators: published items and their own
};

struct ContentPage
{
    std::vector<ContentItem> items;
    qint64 total = 0;
};

// One version as listed: what changed, by whom, when.
struct ContentVersion
{
    int number = 0;
    QString eventId;
    QString kind; // the event type
    QString actorId;
    qint64 atMs = 0;
    nlohmann::json change; // {changes, tagsAdded, ...}
    nlohmann::json toJson() const;
};

// An item as the API answers it, rendered from its row, with what deciding
// who may see it and its ETag need.
struct RenderedItem
{
    std::string json; // ContentItem::toJsonText()'s bytes
    QString authorId;
    ContentStatus status = ContentStatus::Draft;
    int version = 0;
};

class ContentStore final
{
public:
    explicit ContentStore(Database &db);
    // Call when this process commits a change to content: listing totals
    // cached before it are not used again.
    void contentChanged() { m_generation.fetch_add(1); }
    // A token that changes whenever content may have changed, as seen from
    // this thread's connection: for caches of anything read from the store.
    Result<QString> stateToken();

    static const QStringList &sortFields();
    Result<std::optional<ContentItem>> item(const QString &id);
    // The same item's JSON, written from the row's UTF-8 text with its lists
    // and metadata spliced in as stored: no ContentItem, no conversion to
    // UTF-16 and back, no parse (half of an item read's own CPU).
    Result<std::optional<RenderedItem>> renderedItem(const QString &id);
    Result<ContentPage> list(const ContentQuery &query);
    // True when a live item of the type has the slug (other than exceptId).
    Result<bool> slugTaken(Transaction &tx, ContentType type, const QString &slug,
                           const QString &exceptId);
    // The first free slug for the type among base, base-2, base-3, ...: one
    // indexed range read, however many are taken.
    Result<QString> freeSlug(Transaction &tx, ContentType type, const QString &base);
    // Versions in stamp order, numbered from 1.
    Result<std::vector<ContentVersion>> versions(const QString &id);
    // Ids of live items whose publishAt or unpublishAt is due at nowMs.
    Result<std::vector<QString>> dueForSchedule(qint64 nowMs);

private:
    // The number of live items matching a filter: counted once per state of
    // the database, since a COUNT over tens of thousands of rows costs more
    // than the page itself.
    Result<qint64> count(const QString &filter, const QVariantList &values);

    Database &m_db;
    const quint64 m_instance; // tells this store's cache entries from an earlier one's
    std::atomic<quint64> m_generation{0};
};

} // namespace colophon
