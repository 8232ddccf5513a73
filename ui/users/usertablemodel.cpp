// SPDX-License-Identifier: MIT
// UserTableModel: pages of listUsers behind a QAbstractTableModel.
#include "ui/users/usertablemodel.h"

#include "services/user/userservice.h"
#include "ui/core/servicegateway.h"
#include "ui/users/userformat.h"

#include <QBrush>
#include <QFont>
#include <QPalette>

namespace colophon {

UserTableModel::UserTableModel(ServiceGateway &gateway, QObject *parent)
    : QAbstractTableModel(parent), m_gateway(gateway)
{
    m_query.sortField = QStringLiteral("email");
}

void UserTableModel::setQuery(const UserQuery &query)
{
    m_query = query;
    load(0, kPageSize, Mode::Replace);
}

void UserTableModel::refresh()
{
    load(0, std::max<int>(kPageSize, static_cast<int>(m_users.size())), Mode::Refresh);
}

void UserTableModel::load(qint64 offset, int limit, Mode mode)
{
    if (!m_gateway.isSignedIn()) {
        return;
    }
    const quint64 generation = mode == Mode::Append ? m_generation : ++m_generation;
    m_loading = true;
    UserQuery query = m_query;
    query.offset = offset;
    query.limit = limit;
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), query] {
            return gateway.users().listUsers(actor, query);
        },
        [this, generation, mode](Result<UserPage> page) {
            if (generation != m_generation) {
                return; // the query changed meanwhile: a newer answer is coming
            }
            m_loading = false;
            if (!page) {
                emit loadFailed(page.error());
                return;
            }
            m_total = page->total;
            if (mode == Mode::Append) {
                if (!page->items.empty()) {
                    const int first = static_cast<int>(m_users.size());
                    beginInsertRows({}, first, first + static_cast<int>(page->items.size()) - 1);
                    for (User &u : page->items) {
                        m_users.push_back(std::move(u));
                    }
                    endInsertRows();
                }
            } else {
                bool sameRows = mode == Mode::Refresh && page->items.size() == m_users.size();
                for (size_t i = 0; sameRows && i < m_users.size(); ++i) {
                    sameRows = m_users[i].id == page->items[i].id;
                }
                if (sameRows) {
                    m_users = std::move(page->items);
                    if (!m_users.empty()) {
                        emit dataChanged(index(0, 0), index(static_cast<int>(m_users.size()) - 1,
                                                            ColumnCount - 1));
                    }
                } else {
                    beginResetModel();
                    m_users = std::move(page->items);
                    endResetModel();
                }
            }
            emit loaded();
        });
}

const User *UserTableModel::userAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_users.size()) ? &m_users[size_t(row)] : nullptr;
}

int UserTableModel::rowOf(const QString &userId) const
{
    for (size_t i = 0; i < m_users.size(); ++i) {
        if (m_users[i].id == userId) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

void UserTableModel::updateUser(const User &user)
{
    const int row = rowOf(user.id);
    if (row < 0) {
        return;
    }
    m_users[size_t(row)] = user;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QString UserTableModel::sortFieldOf(int column)
{
    switch (column) {
    case EmailColumn:
        return QStringLiteral("email");
    case NameColumn:
        return QStringLiteral("lastName");
    case RoleColumn:
        return QStringLiteral("role");
    case StatusColumn:
        return QStringLiteral("status");
    case CreatedColumn:
        return QStringLiteral("createdAt");
    case UpdatedColumn:
        return QStringLiteral("updatedAt");
    default:
        return {};
    }
}

int UserTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_users.size());
}

int UserTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UserTableModel::data(const QModelIndex &index, int role) const
{
    const User *user = index.isValid() ? userAt(index.row()) : nullptr;
    if (!user) {
        return {};
    }
    const bool deleted = user->deletedAtMs > 0;
    if (role == UserIdRole) {
        return user->id;
    }
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        const QString zone = m_gateway.user().preferences.timezone;
        switch (index.column()) {
        case EmailColumn:
            return user->email;
        case NameColumn:
            return QStringLiteral("%1 %2").arg(user->firstName, user->lastName).trimmed();
        case RoleColumn:
            return userui::roleLabel(user->role);
        case StatusColumn:
            return deleted ? tr("Deleted") : userui::statusLabel(user->status);
        case MfaColumn:
            if (role == Qt::ToolTipRole) {
                return user->mfaEnabled ? tr("Signs in with a password and an authenticator code")
                                        : tr("Signs in with a password only");
            }
            return user->mfaEnabled ? tr("On") : tr("Off");
        case CreatedColumn:
            return userui::formatTime(user->createdAtMs, zone);
        case UpdatedColumn:
            return userui::formatTime(user->updatedAtMs, zone);
        default:
            return {};
        }
    }
    if (role == Qt::FontRole && deleted) {
        QFont font;
        font.setItalic(true);
        return font;
    }
    if (role == Qt::ForegroundRole && (deleted || user->status != QLatin1String("active"))) {
        return QPalette().brush(QPalette::Disabled, QPalette::Text);
    }
    return {};
}

QVariant UserTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case EmailColumn:
            return tr("Email");
        case NameColumn:
            return tr("Name");
        case RoleColumn:
            return tr("Role");
        case StatusColumn:
            return tr("Status");
        case MfaColumn:
            return tr("Two-step");
        case CreatedColumn:
            return tr("Created");
        case UpdatedColumn:
            return tr("Updated");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        return sortFieldOf(section).isEmpty() ? tr("Two-step sign-in (not sortable)")
                                              : tr("Click to sort by this column");
    }
    return {};
}

bool UserTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_loading && static_cast<qint64>(m_users.size()) < m_total;
}

void UserTableModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent)) {
        load(static_cast<qint64>(m_users.size()), kPageSize, Mode::Append);
    }
}

void UserTableModel::sort(int column, Qt::SortOrder order)
{
    const QString field = sortFieldOf(column);
    if (field.isEmpty()) {
        return;
    }
    const bool descending = order == Qt::DescendingOrder;
    if (field == m_query.sortField && descending == m_query.descending) {
        return;
    }
    m_query.sortField = field;
    m_query.descending = descending;
    load(0, kPageSize, Mode::Replace);
}

} // namespace colophon
