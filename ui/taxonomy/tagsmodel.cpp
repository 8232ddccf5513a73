// SPDX-License-Identifier: MIT
// The tags model: tag and usage count, read only.
#include "ui/taxonomy/tagsmodel.h"

#include "ui/taxonomy/taxonomytext.h"

namespace colophon {

void TagsModel::setTags(std::vector<TagCount> tags)
{
    beginResetModel();
    m_tags = std::move(tags);
    endResetModel();
}

QString TagsModel::tagAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_tags[static_cast<size_t>(row)].tag : QString();
}

int TagsModel::countOf(const QString &tag) const
{
    const int row = rowOf(tag);
    return row < 0 ? 0 : m_tags[static_cast<size_t>(row)].count;
}

int TagsModel::rowOf(const QString &tag) const
{
    for (size_t i = 0; i < m_tags.size(); ++i) {
        if (m_tags[i].tag == tag) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int TagsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_tags.size());
}

int TagsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TagsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const TagCount &t = m_tags[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == TagColumn ? QVariant(t.tag) : QVariant(t.count);
    case Qt::AccessibleTextRole:
        return index.column() == TagColumn ? t.tag : taxonomytext::items(t.count);
    case Qt::ToolTipRole:
        return tr("“%1” is on %2 you can see").arg(t.tag, taxonomytext::items(t.count));
    case Qt::TextAlignmentRole:
        if (index.column() == CountColumn) {
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    case TagRole:
        return t.tag;
    case CountRole:
        return t.count;
    default:
        return {};
    }
}

QVariant TagsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == TagColumn ? tr("Tag") : tr("Items");
}

} // namespace colophon
