// SPDX-License-Identifier: MIT
// The category tree model: a tree over the flat list, and drops that ask.
#include "ui/taxonomy/categorytreemodel.h"

#include "ui/taxonomy/taxonomytext.h"

#include <QMimeData>
#include <QSet>

namespace colophon {

QString CategoryTreeModel::mimeType()
{
    return QStringLiteral("application/x-colophon-category-ids");
}

CategoryTreeModel::CategoryTreeModel(QObject *parent) : QAbstractItemModel(parent)
{
}

CategoryTreeModel::~CategoryTreeModel() = default;

void CategoryTreeModel::setCategories(const std::vector<Category> &categories)
{
    beginResetModel();
    m_flat = categories;
    m_nodes.clear();
    m_byId.clear();
    m_root.children.clear();
    for (const Category &c : m_flat) {
        auto node = std::make_unique<Node>();
        node->category = c;
        m_byId.insert(c.id, node.get());
        m_nodes.push_back(std::move(node));
    }
    for (auto &node : m_nodes) {
        node->parent = m_byId.value(node->category.parentId, &m_root);
    }
    // Concurrent moves on two replicas can meet as a cycle: show such a
    // category at the top level rather than lose it.
    for (auto &node : m_nodes) {
        QSet<Node *> seen{node.get()};
        for (Node *at = node->parent; at != &m_root; at = at->parent) {
            if (seen.contains(at)) {
                node->parent = &m_root;
                break;
            }
            seen.insert(at);
        }
    }
    for (auto &node : m_nodes) {
        node->row = static_cast<int>(node->parent->children.size());
        node->parent->children.push_back(node.get());
    }
    endResetModel();
}

void CategoryTreeModel::setEditable(bool editable)
{
    if (m_editable == editable) {
        return;
    }
    m_editable = editable;
    if (!m_nodes.empty()) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    }
}

const Category *CategoryTreeModel::category(const QString &id) const
{
    const Node *node = m_byId.value(id);
    return node ? &node->category : nullptr;
}

CategoryTreeModel::Node *CategoryTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : nullptr;
}

QString CategoryTreeModel::categoryId(const QModelIndex &index) const
{
    const Node *node = nodeOf(index);
    return node ? node->category.id : QString();
}

QModelIndex CategoryTreeModel::indexOf(const QString &id, int column) const
{
    Node *node = m_byId.value(id);
    return node ? createIndex(node->row, column, node) : QModelIndex();
}

QStringList CategoryTreeModel::subtreeIds(const QString &id) const
{
    QStringList out;
    const Node *start = m_byId.value(id);
    if (!start) {
        return out;
    }
    std::vector<const Node *> stack{start};
    while (!stack.empty()) {
        const Node *node = stack.back();
        stack.pop_back();
        out << node->category.id;
        for (const Node *child : node->children) {
            stack.push_back(child);
        }
    }
    return out;
}

QStringList CategoryTreeModel::childIds(const QString &id) const
{
    QStringList out;
    if (const Node *node = m_byId.value(id)) {
        for (const Node *child : node->children) {
            out << child->category.id;
        }
    }
    return out;
}

QString CategoryTreeModel::pathOf(const QString &id) const
{
    QStringList names;
    for (const Node *node = m_byId.value(id); node && node != &m_root; node = node->parent) {
        names.prepend(node->category.name);
    }
    return names.join(QStringLiteral(" › "));
}

std::vector<std::pair<QString, int>> CategoryTreeModel::treeOrder() const
{
    std::vector<std::pair<QString, int>> out;
    std::vector<std::pair<const Node *, int>> stack;
    for (auto it = m_root.children.rbegin(); it != m_root.children.rend(); ++it) {
        stack.emplace_back(*it, 0);
    }
    while (!stack.empty()) {
        auto [node, depth] = stack.back();
        stack.pop_back();
        out.emplace_back(node->category.id, depth);
        for (auto it = node->children.rbegin(); it != node->children.rend(); ++it) {
            stack.emplace_back(*it, depth + 1);
        }
    }
    return out;
}

QModelIndex CategoryTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    const Node *p = parent.isValid() ? nodeOf(parent) : &m_root;
    if (!p || row < 0 || column < 0 || column >= ColumnCount ||
        row >= static_cast<int>(p->children.size())) {
        return {};
    }
    return createIndex(row, column, p->children[static_cast<size_t>(row)]);
}

QModelIndex CategoryTreeModel::parent(const QModelIndex &child) const
{
    const Node *node = nodeOf(child);
    if (!node || node->parent == &m_root) {
        return {};
    }
    return createIndex(node->parent->row, 0, node->parent);
}

int CategoryTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0) {
        return 0;
    }
    const Node *p = parent.isValid() ? nodeOf(parent) : &m_root;
    return p ? static_cast<int>(p->children.size()) : 0;
}

int CategoryTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant CategoryTreeModel::data(const QModelIndex &index, int role) const
{
    const Node *node = nodeOf(index);
    if (!node) {
        return {};
    }
    const Category &c = node->category;
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case NameColumn:
            return c.name;
        case SlugColumn:
            return c.slug;
        case ItemsColumn:
            return role == Qt::DisplayRole ? QVariant(c.itemCount)
                                           : QVariant(taxonomytext::items(c.itemCount));
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == ItemsColumn) {
            return tr("%1 in this category, not counting its subcategories")
                .arg(taxonomytext::items(c.itemCount));
        }
        return c.description.isEmpty() ? pathOf(c.id)
                                       : pathOf(c.id) + QStringLiteral("\n") + c.description;
    case Qt::TextAlignmentRole:
        if (index.column() == ItemsColumn) {
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    case IdRole:
        return c.id;
    case ParentIdRole:
        return c.parentId;
    case ItemCountRole:
        return c.itemCount;
    default:
        return {};
    }
}

QVariant CategoryTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case NameColumn:
        return tr("Name");
    case SlugColumn:
        return tr("Slug");
    case ItemsColumn:
        return tr("Items");
    default:
        return {};
    }
}

Qt::ItemFlags CategoryTreeModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
    if (m_editable) {
        f |= Qt::ItemIsDropEnabled; // onto a category, or onto the empty area (a root)
        if (index.isValid()) {
            f |= Qt::ItemIsDragEnabled;
        }
    }
    return f;
}

QStringList CategoryTreeModel::mimeTypes() const
{
    return {mimeType()};
}

QMimeData *CategoryTreeModel::mimeData(const QModelIndexList &indexes) const
{
    QStringList ids;
    for (const QModelIndex &i : indexes) {
        const QString id = categoryId(i);
        if (!id.isEmpty() && !ids.contains(id)) {
            ids << id;
        }
    }
    if (ids.isEmpty()) {
        return nullptr;
    }
    auto *data = new QMimeData;
    data->setData(mimeType(), ids.join(u'\n').toUtf8());
    QStringList names;
    for (const QString &id : ids) {
        names << pathOf(id);
    }
    data->setText(names.join(u'\n'));
    return data;
}

Qt::DropActions CategoryTreeModel::supportedDropActions() const
{
    return Qt::MoveAction;
}

Qt::DropActions CategoryTreeModel::supportedDragActions() const
{
    return Qt::MoveAction;
}

QStringList CategoryTreeModel::idsIn(const QMimeData *data) const
{
    if (!data || !data->hasFormat(mimeType())) {
        return {};
    }
    QStringList ids = QString::fromUtf8(data->data(mimeType())).split(u'\n', Qt::SkipEmptyParts);
    ids.removeIf([this](const QString &id) { return !m_byId.contains(id); });
    return ids;
}

bool CategoryTreeModel::canDropMimeData(const QMimeData *data, Qt::DropAction action, int, int,
                                        const QModelIndex &parent) const
{
    // Whether the move is allowed (a cycle, the permission) is the service's
    // to say: a refused move is explained, not silently impossible.
    return m_editable && action == Qt::MoveAction && !idsIn(data).isEmpty() &&
           (!parent.isValid() || nodeOf(parent));
}

bool CategoryTreeModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int, int,
                                     const QModelIndex &parent)
{
    if (action == Qt::IgnoreAction) {
        return true;
    }
    const QStringList ids = idsIn(data);
    if (ids.isEmpty() || action != Qt::MoveAction) {
        return false;
    }
    if (!m_editable) {
        emit dropRefused(tr("Moving categories needs the taxonomy.manage permission."));
        return false;
    }
    // Onto a category, or between the children of one: under it. Onto the
    // empty area or between top-level rows: to the top level.
    const QString newParent = categoryId(parent);
    QStringList moving;
    for (const QString &id : ids) {
        if (m_byId.value(id)->category.parentId != newParent) {
            moving << id;
        }
    }
    if (moving.isEmpty()) {
        return false; // already there
    }
    emit moveRequested(moving, newParent);
    return true;
}

} // namespace colophon
