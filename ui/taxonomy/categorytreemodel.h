// SPDX-License-Identifier: MIT
// The categories as a tree (name, slug, items) built from the service's flat
// list, with drag and drop of a category onto another or onto the empty area
// (a root). A drop never changes the tree itself: it asks for the move
// (moveRequested), and the tree changes when the service accepted it and the
// page loads the categories again.
#pragma once

#include "services/content/content.h"

#include <QAbstractItemModel>
#include <QHash>
#include <memory>
#include <vector>

namespace colophon {

class CategoryTreeModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, SlugColumn, ItemsColumn, ColumnCount };
    enum Roles { IdRole = Qt::UserRole + 1, ParentIdRole, ItemCountRole };

    // The mime type of a dragged category: its ids, one per line (UTF-8).
    static QString mimeType();

    explicit CategoryTreeModel(QObject *parent = nullptr);
    ~CategoryTreeModel() override;

    // Replaces the tree; categories whose parent is missing become roots.
    void setCategories(const std::vector<Category> &categories);
    // Whether drags and drops are offered (the role may manage taxonomies).
    void setEditable(bool editable);
    bool isEditable() const { return m_editable; }

    // Every category, in the service's order (by name).
    const std::vector<Category> &categories() const { return m_flat; }
    const Category *category(const QString &id) const;
    QString categoryId(const QModelIndex &index) const;
    QModelIndex indexOf(const QString &id, int column = NameColumn) const;
    // The category and everything under it.
    QStringList subtreeIds(const QString &id) const;
    // Its children's ids.
    QStringList childIds(const QString &id) const;
    // "Parent › Child", for lists of places to move to.
    QString pathOf(const QString &id) const;
    // Every category in tree order (depth first), with its depth.
    std::vector<std::pair<QString, int>> treeOrder() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    // Asks for the move (moveRequested) and answers whether it asked; the
    // tree stays as it is until the categories are loaded again.
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;

signals:
    // Move these categories under newParentId (empty: to the top level).
    void moveRequested(const QStringList &ids, const QString &newParentId);
    // A drop the model refused before asking the service (read-only role).
    void dropRefused(const QString &reason);

private:
    struct Node
    {
        Category category;
        Node *parent = nullptr;
        std::vector<Node *> children;
        int row = 0;
    };

    Node *nodeOf(const QModelIndex &index) const;
    QStringList idsIn(const QMimeData *data) const;

    std::vector<Category> m_flat;
    std::vector<std::unique_ptr<Node>> m_nodes;
    Node m_root;
    QHash<QString, Node *> m_byId;
    bool m_editable = false;
};

} // namespace colophon
