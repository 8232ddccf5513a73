// SPDX-License-Identifier: MIT
// The content list's lazily paged table model (see contentlistmodel.h).
#include "ui/content/contentlistmodel.h"

#include "backend/events/event.h"
#include "services/user/userservice.h"
#include "ui/core/actornames.h"
#include "ui/core/servicegateway.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <algorithm>

namespace colophon {

namespace {

// Fetches running at once: the newest wanted pages go first, so a fast
// scroll does not queue every page it passed.
constexpr int kMaxRunning = 2;
constexpr int kMaxWanted = 6;
// Bursts of committed events (a bulk action) make one refresh.
constexpr int kRefreshDelayMs = 150;

} // namespace

ContentListModel::ContentListModel(ServiceGateway &gateway, QObject *parent)
    : QAbstractTableModel(parent), m_gateway(gateway)
{
    m_issueTimer.setSingleShot(true);
    m_issueTimer.setInterval(0);
    connect(&m_issueTimer, &QTimer::timeout, this, &ContentListModel::issueWanted);
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(kRefreshDelayMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ContentListModel::refreshDue);
    connect(&m_gateway, &ServiceGateway::eventCommitted, this, &ContentListModel::onEvent);
    connect(&m_gateway.names(), &ActorNames::namesChanged, this,
            [this] { emitColumnChanged(Author); });
    connect(&m_gateway, &ServiceGateway::signedInChanged, this, [this] {
        loadCategories();
        restart();
    });
    loadCategories();
    restart();
}

void ContentListModel::setQuery(const ContentQuery &filter)
{
    m_filter = filter;
    m_filter.sortField.clear();
    m_filter.offset = 0;
    m_filter.withBody = false;
    restart();
}

ContentQuery ContentListModel::effectiveQuery() const
{
    ContentQuery query = m_filter;
    query.sortField = sortField(m_sortColumn);
    query.descending = m_sortOrder == Qt::DescendingOrder;
    query.limit = kPageSize;
    query.offset = 0;
    query.withBody = false;
    return query;
}

QString ContentListModel::sortField(int column)
{
    switch (column) {
    case Title:
        return QStringLiteral("title");
    case Type:
        return QStringLiteral("type");
    case Status:
        return QStringLiteral("status");
    case Updated:
        return QStringLiteral("updatedAt");
    default:
        return {};
    }
}

void ContentListModel::sort(int column, Qt::SortOrder order)
{
    if (!isSortable(column) || (column == m_sortColumn && order == m_sortOrder)) {
        return;
    }
    m_sortColumn = column;
    m_sortOrder = order;
    restart();
}

void ContentListModel::restart()
{
    ++m_generation;
    beginResetModel();
    m_pages.clear();
    m_inFlight.clear();
    m_failed.clear();
    m_wanted.clear();
    m_rows = 0;
    m_total = 0;
    m_lastPage = 0;
    endResetModel();
    emit totalChanged(0);
    m_awaitingFirst = m_gateway.isSignedIn();
    if (m_awaitingFirst) {
        fetch(0);
    }
}

void ContentListModel::reload()
{
    if (!m_gateway.isSignedIn()) {
        return;
    }
    ++m_generation;
    // Keep what is shown meanwhile; fetch again the first page (for the
    // total), the pages near where the view is, and whatever was awaited.
    QList<int> again;
    for (auto it = m_pages.begin(); it != m_pages.end();) {
        if (it.key() == 0 || std::abs(it.key() - m_lastPage) <= 2) {
            again << it.key();
            ++it;
        } else {
            it = m_pages.erase(it);
        }
    }
    again << QList<int>(m_inFlight.cbegin(), m_inFlight.cend()) << m_wanted;
    m_inFlight.clear();
    m_failed.clear();
    m_wanted.clear();
    std::sort(again.begin(), again.end(),
              [this](int a, int b) { return std::abs(a - m_lastPage) > std::abs(b - m_lastPage); });
    for (int page : again) {
        if (page != 0 && !m_wanted.contains(page)) {
            m_wanted << page; // nearest to the view last: asked first
        }
    }
    m_awaitingFirst = true;
    fetch(0);
    issueWanted();
}

std::optional<ContentItem> ContentListModel::itemAt(int row) const
{
    if (row < 0 || row >= m_rows) {
        return std::nullopt;
    }
    auto it = m_pages.constFind(row / kPageSize);
    if (it == m_pages.cend()) {
        return std::nullopt;
    }
    const auto at = static_cast<size_t>(row % kPageSize);
    if (at >= it->items.size()) {
        return std::nullopt;
    }
    return it->items[at];
}

int ContentListModel::rowOf(const QString &id) const
{
    for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it) {
        for (size_t i = 0; i < it->items.size(); ++i) {
            if (it->items[i].id == id) {
                return it.key() * kPageSize + static_cast<int>(i);
            }
        }
    }
    return -1;
}

QString ContentListModel::categoryName(const QString &id) const
{
    return m_categoryNames.value(id, tr("(removed category)"));
}

QString ContentListModel::authorName(const QString &authorId) const
{
    if (authorId.isEmpty()) {
        return tr("System");
    }
    if (authorId == m_gateway.actor().userId) {
        return tr("You");
    }
    QString name = m_gateway.names().name(authorId);
    if (!name.isEmpty()) {
        name[0] = name[0].toUpper();
    }
    return name;
}

QString ContentListModel::statusText(ContentStatus status)
{
    switch (status) {
    case ContentStatus::Draft:
        return tr("Draft");
    case ContentStatus::Review:
        return tr("In review");
    case ContentStatus::Published:
        return tr("Published");
    case ContentStatus::Archived:
        return tr("Archived");
    }
    return {};
}

QString ContentListModel::typeText(ContentType type)
{
    switch (type) {
    case ContentType::Article:
        return tr("Article");
    case ContentType::Video:
        return tr("Video");
    case ContentType::Gallery:
        return tr("Gallery");
    case ContentType::Podcast:
        return tr("Podcast");
    }
    return {};
}

QIcon ContentListModel::statusIcon(ContentStatus status)
{
    static QHash<int, QIcon> icons;
    auto it = icons.find(static_cast<int>(status));
    if (it != icons.end()) {
        return *it;
    }
    QColor colour;
    switch (status) {
    case ContentStatus::Draft:
        colour = QColor(0x8a, 0x8f, 0x98); // grey
        break;
    case ContentStatus::Review:
        colour = QColor(0xe0, 0x9b, 0x00); // amber
        break;
    case ContentStatus::Published:
        colour = QColor(0x2e, 0xa0, 0x43); // green
        break;
    case ContentStatus::Archived:
        colour = QColor(0x6e, 0x54, 0x94); // muted violet
        break;
    }
    const qreal ratio = qApp ? qApp->devicePixelRatio() : 1.0;
    QPixmap pixmap(QSize(12, 12) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(colour.darker(130));
        painter.setBrush(colour);
        painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    }
    return *icons.insert(static_cast<int>(status), QIcon(pixmap));
}

int ContentListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int ContentListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ContentListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows) {
        return {};
    }
    const int page = index.row() / kPageSize;
    auto it = m_pages.constFind(page);
    const auto at = static_cast<size_t>(index.row() % kPageSize);
    if (it == m_pages.cend() || at >= it->items.size()) {
        // Not loaded: ask for the page, show a placeholder meanwhile.
        auto *self = const_cast<ContentListModel *>(this);
        self->m_lastPage = page;
        if (it == m_pages.cend()) {
            self->want(page);
        }
        const bool failed = m_failed.contains(page);
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == Title) {
                return failed ? tr("Could not load") : QStringLiteral("…");
            }
            return {};
        case Qt::ToolTipRole:
            return failed ? tr("This part of the list could not be loaded; reload to try again")
                          : tr("Loading…");
        case LoadedRole:
            return false;
        case Qt::ForegroundRole:
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        default:
            return {};
        }
    }
    const_cast<ContentListModel *>(this)->m_lastPage = page;
    const ContentItem &item = it->items[at];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Title:
            return item.title;
        case Type:
            return typeText(item.type);
        case Status:
            return statusText(item.status);
        case Author:
            return authorName(item.authorId);
        case Categories: {
            QStringList names;
            for (const QString &id : item.categories) {
                names << categoryName(id);
            }
            return names.join(QStringLiteral(", "));
        }
        case Updated:
            return QLocale().toString(QDateTime::fromMSecsSinceEpoch(item.updatedAtMs),
                                      QLocale::ShortFormat);
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Title:
            return item.description.isEmpty()
                       ? item.title
                       : QStringLiteral("%1\n%2").arg(item.title, item.description);
        case Updated:
            return QDateTime::fromMSecsSinceEpoch(item.updatedAtMs)
                .toUTC()
                .toString(Qt::ISODateWithMs);
        case Author:
            return item.authorId;
        case Categories:
            return data(index, Qt::DisplayRole);
        case Status:
            if (item.status == ContentStatus::Published && item.publishedAtMs > 0) {
                return tr("Published %1")
                    .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(item.publishedAtMs),
                                            QLocale::LongFormat));
            }
            return statusText(item.status);
        default:
            return {};
        }
    case Qt::DecorationRole:
        return index.column() == Status ? QVariant(statusIcon(item.status)) : QVariant();
    case IdRole:
        return item.id;
    case StatusRole:
        return static_cast<int>(item.status);
    case LoadedRole:
        return true;
    default:
        return {};
    }
}

QVariant ContentListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        return role == Qt::DisplayRole ? QVariant(QLocale().toString(section + 1)) : QVariant();
    }
    static const char *const names[] = {QT_TR_NOOP("Title"),      QT_TR_NOOP("Type"),
                                        QT_TR_NOOP("Status"),     QT_TR_NOOP("Author"),
                                        QT_TR_NOOP("Categories"), QT_TR_NOOP("Updated")};
    if (section < 0 || section >= ColumnCount) {
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
        return tr(names[section]);
    case Qt::ToolTipRole:
        return isSortable(section)
                   ? tr("Click to sort by %1").arg(tr(names[section]).toLower())
                   : tr("The list cannot be sorted by %1").arg(tr(names[section]).toLower());
    case Qt::InitialSortOrderRole:
        return section == Updated ? Qt::DescendingOrder : Qt::AscendingOrder;
    default:
        return {};
    }
}

void ContentListModel::want(int page)
{
    if (m_inFlight.contains(page) || m_failed.contains(page)) {
        return;
    }
    if (m_running < kMaxRunning && m_wanted.isEmpty()) {
        fetch(page); // nothing waits: ask at once
        return;
    }
    m_wanted.removeAll(page);
    m_wanted << page;
    while (m_wanted.size() > kMaxWanted) {
        m_wanted.removeFirst(); // scrolled past: no longer worth asking
    }
    if (!m_issueTimer.isActive()) {
        m_issueTimer.start();
    }
}

void ContentListModel::issueWanted()
{
    while (m_running < kMaxRunning && !m_wanted.isEmpty()) {
        fetch(m_wanted.takeLast());
    }
}

void ContentListModel::fetch(int page)
{
    if (m_inFlight.contains(page)) {
        return;
    }
    ContentQuery query = effectiveQuery();
    query.offset = static_cast<qint64>(page) * kPageSize;
    m_inFlight.insert(page);
    ++m_running;
    ++m_pagesFetched;
    const quint64 generation = m_generation;
    ContentService *content = &m_gateway.content();
    m_gateway.run(
        this, [content, actor = m_gateway.actor(), query] { return content->list(actor, query); },
        [this, generation, page](Result<ContentPage> result) {
            --m_running;
            pageArrived(generation, page, std::move(result));
            issueWanted(); // the next wanted page, while this job still counts as pending
        });
}

void ContentListModel::pageArrived(quint64 generation, int page, Result<ContentPage> result)
{
    if (generation != m_generation) {
        return; // an answer to an older query
    }
    m_inFlight.remove(page);
    const bool first = page == 0 && m_awaitingFirst;
    if (first) {
        m_awaitingFirst = false;
    }
    if (!result) {
        m_failed.insert(page);
        const int from = page * kPageSize;
        if (from < m_rows) {
            emit dataChanged(index(from, 0),
                             index(std::min(m_rows, from + kPageSize) - 1, ColumnCount - 1));
        }
        emit loadFailed(result.error());
        return;
    }
    const std::vector<ContentItem> items = result->items;
    m_pages.insert(page, Page{std::move(result->items)});
    evictAround(page);
    setTotal(result->total);
    const int from = page * kPageSize;
    if (from < m_rows && !items.empty()) {
        const int to = std::min(m_rows, from + static_cast<int>(items.size())) - 1;
        emit dataChanged(index(from, 0), index(to, ColumnCount - 1));
    }
    if (first) {
        emit loaded();
    }
}

void ContentListModel::setTotal(qint64 total)
{
    const int rows = static_cast<int>(std::min<qint64>(total, std::numeric_limits<int>::max()));
    if (rows > m_rows) {
        beginInsertRows({}, m_rows, rows - 1);
        m_rows = rows;
        endInsertRows();
    } else if (rows < m_rows) {
        beginRemoveRows({}, rows, m_rows - 1);
        m_rows = rows;
        for (auto it = m_pages.begin(); it != m_pages.end();) {
            it = it.key() * kPageSize >= rows ? m_pages.erase(it) : std::next(it);
        }
        endRemoveRows();
    }
    if (total != m_total) {
        m_total = total;
        emit totalChanged(total);
    }
}

void ContentListModel::evictAround(int page)
{
    while (m_pages.size() > m_maxCachedPages) {
        int farthest = page;
        for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it) {
            if (std::abs(it.key() - page) > std::abs(farthest - page)) {
                farthest = it.key();
            }
        }
        if (farthest == page) {
            return;
        }
        m_pages.remove(farthest);
    }
}

void ContentListModel::loadCategories()
{
    if (!m_gateway.isSignedIn()) {
        return;
    }
    ContentService *content = &m_gateway.content();
    m_gateway.run(
        this, [content, actor = m_gateway.actor()] { return content->categories(actor); },
        [this](Result<std::vector<Category>> result) {
            if (!result) {
                emit loadFailed(result.error());
                return;
            }
            m_categories = std::move(*result);
            m_categoryNames.clear();
            for (const Category &category : m_categories) {
                m_categoryNames.insert(category.id, category.name);
            }
            emit categoriesChanged();
            emitColumnChanged(Categories);
        });
}

void ContentListModel::onEvent(const Event &event)
{
    if (event.stream.startsWith(QLatin1String("content/"))) {
        m_contentDirty = true;
    } else if (event.stream.startsWith(QLatin1String("category/"))) {
        m_categoriesDirty = true;
        m_contentDirty = true; // deleting a category moves its items
    } else {
        return;
    }
    if (!m_refreshTimer.isActive()) {
        m_refreshTimer.start();
    }
}

void ContentListModel::refreshDue()
{
    if (m_categoriesDirty) {
        m_categoriesDirty = false;
        loadCategories();
    }
    if (m_contentDirty) {
        m_contentDirty = false;
        reload();
    }
}

void ContentListModel::emitColumnChanged(int column)
{
    if (m_rows > 0) {
        emit dataChanged(index(0, column), index(m_rows - 1, column));
    }
}

} // namespace colophon
