// SPDX-License-Identifier: MIT
// The content service's values: the blueprint's Content and Category, their
// enumerations, validation and JSON forms, and the workflow's state machine.
#pragma once

#include "backend/auth/permissions.h"
#include "backend/core/error.h"

#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <optional>

namespace colophon {

enum class ContentType { Article, Video, Gallery, Podcast };
enum class ContentStatus { Draft, Review, Published, Archived };

std::optional<ContentType> parseContentType(const QString &name);
QString contentTypeName(ContentType type);
std::optional<ContentStatus> parseContentStatus(const QString &name);
QString contentStatusName(ContentStatus status);

// The fields a version or an update can change, by their API names. Sets
// (tags, categories) change by add/remove, never as a whole list.
inline const QStringList &contentScalarFields()
{
    static const QStringList fields{
        QStringLiteral("title"),     QStringLiteral("slug"),        QStringLiteral("description"),
        QStringLiteral("body"),      QStringLiteral("type"),        QStringLiteral("metadata"),
        QStringLiteral("mediaIds"),  QStringLiteral("status"),      QStringLiteral("publishedAt"),
        QStringLiteral("publishAt"), QStringLiteral("unpublishAt"), QStringLiteral("authorId")};
    return fields;
}

struct ContentItem
{
    QString id;
    QString title;
    QString slug;
    QString description;
    QString body; // Markdown
    ContentType type = ContentType::Article;
    ContentStatus status = ContentStatus::Draft;
    QStringList categories; // category ids
    QStringList tags;       // normalised: trimmed, lower case, single spaces
    QStringList mediaIds;
    QString authorId;
    nlohmann::json metadata = nlohmann::json::object();
    qint64 publishedAtMs = 0;
    qint64 publishAtMs = 0;   // scheduled publication; 0: none
    qint64 unpublishAtMs = 0; // scheduled withdrawal; 0: none
    qint64 createdAtMs = 0;
    qint64 updatedAtMs = 0;
    int version = 0;  // the number of versions: the ETag
    QString bodyHash; // of the current body: what an edit names as its base

    // The API form, written straight to JSON text (an item read spent a
    // fifth of its CPU building and dumping an object); listings leave the
    // body out unless asked (as the blueprint's Content sample does), single
    // items carry it.
    std::string toJsonText(bool withBody = true) const;
    // The same, parsed: for callers that edit or embed it.
    nlohmann::json toJson(bool withBody = true) const;
    // The value of a scalar field in its JSON form (for versions and diffs).
    nlohmann::json field(const QString &name) const;
};

// An item's API fields as UTF-8, its lists and metadata already JSON text:
// what renderContentItem writes, from a ContentItem or straight from a row
// of the projection (ContentStore::renderedItem), so both answer the same bytes.
struct ContentItemText
{
    std::string_view authorId, body, bodyHash, categories, description, id, mediaIds, metadata,
        slug, status, tags, title, type;
    qint64 createdAtMs = 0, publishAtMs = 0, publishedAtMs = 0, unpublishAtMs = 0, updatedAtMs = 0;
    int version = 0;
};
// The item's JSON object, keys in the order nlohmann's dump() writes them;
// withBody false leaves the body out (a listing's summary).
std::string renderContentItem(const ContentItemText &item, bool withBody);

struct Category
{
    QString id;
    QString name;
    QString description;
    QString parentId; // empty: a root
    QString slug;
    qint64 createdAtMs = 0;
    qint64 updatedAtMs = 0;
    int itemCount = 0; // items in this category (not its descendants)
    nlohmann::json toJson() const;
};

// Validation, each naming the field at fault.
Result<QString> validTitle(const QString &title);
Result<QString> validSlug(const QString &slug);
Result<QString> validDescription(const QString &description);
Result<QString> validBody(const QString &body);
Result<nlohmann::json> validMetadata(const nlohmann::json &metadata);
Result<QString> normaliseTag(const QString &tag);
Result<QStringList> validMediaIds(const QStringList &ids);

// Lower case, letters and digits of any script joined by single hyphens; at
// most 120 characters; "item" when nothing is left.
QString slugify(const QString &text);

// SHA-256 of the body, hex; what an edit records as the body it started from.
QString bodyHash(const QString &body);

// The workflow: the action a move from one status to another needs, or
// nullopt when the state machine does not allow the move at all.
//   draft -> review                 content.submit
//   draft|review -> published       content.publish
//   review -> draft                 content.reject (with a comment)
//   published -> draft              content.publish (unpublish)
//   draft|review|published -> archived  content.archive
//   archived -> draft               content.restore
std::optional<Action> transitionAction(ContentStatus from, ContentStatus to);

} // namespace colophon
