// SPDX-License-Identifier: MIT
// The tags with how many items carry each (most used first), as the service
// lists them for the signed-in person: a two-column table for the tags list.
#pragma once

#include "services/content/contentservice.h"

#include <QAbstractTableModel>
#include <vector>

namespace colophon {

class TagsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TagColumn, CountColumn, ColumnCount };
    enum Roles { TagRole = Qt::UserRole + 1, CountRole };

    using QAbstractTableModel::QAbstractTableModel;

    void setTags(std::vector<TagCount> tags);
    const std::vector<TagCount> &tags() const { return m_tags; }
    QString tagAt(int row) const;
    int countOf(const QString &tag) const;
    // The row of a tag, or -1.
    int rowOf(const QString &tag) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<TagCount> m_tags;
};

} // namespace colophon
