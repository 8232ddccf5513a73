// SPDX-License-Identifier: MIT
// Reads of the content projection (private to services/content). Only items
// that were created and not deleted are ever returned.
#pragma once

#include "services/content/content.h"

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

class ContentStore final
{
public:
    explicit ContentStore(Database &db) : m_db(db) {}

    static const QStringList &sortFields();
    Result<std::optional<ContentItem>> item(const QString &id);
    Result<ContentPage> list(const ContentQuery &query);
    // True when a live item of the type has the slug (other than exceptId).
    Result<bool> slugTaken(Transaction &tx, ContentType type, const QString &slug,
                           const QString &exceptId);
    // Versions in stamp order, numbered from 1.
    Result<std::vector<ContentVersion>> versions(const QString &id);
    // Ids of live items whose publishAt or unpublishAt is due at nowMs.
    Result<std::vector<QString>> dueForSchedule(qint64 nowMs);

private:
    Database &m_db;
};

} // namespace colophon
