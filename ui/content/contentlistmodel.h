// SPDX-License-Identifier: MIT
// The content list's table model: a window onto the content service's
// listing that fetches pages of rows lazily through the gateway (only the
// pages a view asks for, a bounded number kept), so 100,000 items scroll as
// smoothly as 100. Filters and sorting are the service's queries.
#pragma once

#include "services/content/contentservice.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>
#include <QList>
#include <QSet>
#include <QTimer>
#include <algorithm>
#include <optional>
#include <vector>

namespace colophon {

class ServiceGateway;
struct Event;

class ContentListModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Title, Type, Status, Author, Categories, Updated, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1, // the item's id (empty while its page loads)
        StatusRole,                // ContentStatus as int
        LoadedRole,                // whether the row's item is loaded
    };
    static constexpr int kPageSize = 100;
    static constexpr int kMaxCachedPages = 24;

    explicit ContentListModel(ServiceGateway &gateway, QObject *parent = nullptr);

    // The filter (status, type, categoryId, tag, text, authorId); the model
    // owns sort and paging. Starts over from the first page.
    void setQuery(const ContentQuery &filter);
    ContentQuery filter() const { return m_filter; }
    // The query the service answers: the filter with the sort (no paging).
    ContentQuery effectiveQuery() const;

    // The service's sort field of a column; empty when it has none.
    static QString sortField(int column);
    static bool isSortable(int column) { return !sortField(column).isEmpty(); }
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    // Fetches again what is shown, keeping the rows where they are.
    void reload();

    // The loaded item of a row, or nullopt while its page is not loaded.
    std::optional<ContentItem> itemAt(int row) const;
    // The row of a loaded item, or -1.
    int rowOf(const QString &id) const;
    qint64 total() const { return m_total; }
    bool isLoading() const { return m_awaitingFirst; }
    // How many pages were asked of the service (tests, the bench).
    int pagesFetched() const { return m_pagesFetched; }
    int pagesCached() const { return static_cast<int>(m_pages.size()); }
    // At most this many pages are kept (default kMaxCachedPages, at least 2).
    void setMaxCachedPages(int pages) { m_maxCachedPages = std::max(2, pages); }

    // Category names by id, as the service lists them (for the filter bar).
    const std::vector<Category> &categories() const { return m_categories; }
    QString categoryName(const QString &id) const;
    QString authorName(const QString &authorId) const;

    static QString statusText(ContentStatus status);
    static QString typeText(ContentType type);
    static QIcon statusIcon(ContentStatus status);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    // The first page of a query (or reload) arrived: total() is known.
    void loaded();
    void loadFailed(const colophon::Error &error);
    void totalChanged(qint64 total);
    void categoriesChanged();

private:
    struct Page
    {
        std::vector<ContentItem> items;
    };

    void restart();
    void want(int page);
    void issueWanted();
    void fetch(int page);
    void pageArrived(quint64 generation, int page, Result<ContentPage> result);
    void setTotal(qint64 total);
    void evictAround(int page);
    void loadCategories();
    void onEvent(const Event &event);
    void refreshDue();
    void emitColumnChanged(int column);

    ServiceGateway &m_gateway;
    ContentQuery m_filter;
    int m_sortColumn = Updated;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;

    quint64 m_generation = 0;
    QHash<int, Page> m_pages;
    QSet<int> m_inFlight; // pages asked in this generation, not answered yet
    QSet<int> m_failed;   // pages whose fetch failed in this generation
    QList<int> m_wanted;  // pages to ask for, the most recently wanted last
    int m_running = 0;    // fetches of any generation still running
    int m_lastPage = 0;   // the page a view last read
    qint64 m_total = 0;
    int m_rows = 0;
    bool m_awaitingFirst = false;
    int m_pagesFetched = 0;
    int m_maxCachedPages = kMaxCachedPages;
    QTimer m_issueTimer;

    std::vector<Category> m_categories;
    QHash<QString, QString> m_categoryNames;

    QTimer m_refreshTimer;
    bool m_contentDirty = false;
    bool m_categoriesDirty = false;
};

} // namespace colophon
