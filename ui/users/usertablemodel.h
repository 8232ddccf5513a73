// SPDX-License-Identifier: MIT
// The admins' list of accounts as a lazy table model: it asks the user
// service for a page of 100 at a time (listUsers, with the filters and the
// sort of its UserQuery) and for more as the view scrolls to the end. Every
// call goes through the gateway; answers to an older query are dropped.
#pragma once

#include "backend/core/error.h"
#include "services/user/user.h"

#include <QAbstractTableModel>
#include <vector>

namespace colophon {

class ServiceGateway;

class UserTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        EmailColumn,
        NameColumn,
        RoleColumn,
        StatusColumn,
        MfaColumn,
        CreatedColumn,
        UpdatedColumn,
        ColumnCount
    };
    enum DataRole { UserIdRole = Qt::UserRole + 1 };
    static constexpr int kPageSize = 100;

    explicit UserTableModel(ServiceGateway &gateway, QObject *parent = nullptr);

    // The filters and sort (limit and offset are the model's); loads the first page.
    void setQuery(const UserQuery &query);
    const UserQuery &query() const { return m_query; }
    // Loads again as many rows as are shown, keeping the rows in place when
    // the same accounts come back in the same order.
    void refresh();

    // All the accounts the query matches, and whether an answer is awaited.
    qint64 total() const { return m_total; }
    bool isLoading() const { return m_loading; }
    const User *userAt(int row) const;
    int rowOf(const QString &userId) const;
    // Shows the account as the service answered it (after a change).
    void updateUser(const User &user);

    // The UserQuery::sortField of a column; empty when it does not sort.
    static QString sortFieldOf(int column);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

signals:
    // A page or a refresh arrived.
    void loaded();
    void loadFailed(const colophon::Error &error);

private:
    enum class Mode { Replace, Append, Refresh };
    void load(qint64 offset, int limit, Mode mode);

    ServiceGateway &m_gateway;
    UserQuery m_query;
    std::vector<User> m_users;
    qint64 m_total = 0;
    bool m_loading = false;
    quint64 m_generation = 0;
};

} // namespace colophon
