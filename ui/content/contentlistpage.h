// SPDX-License-Identifier: MIT
// The console's content section: a filter bar over a lazily paged table of
// items, with bulk actions (submit, publish, archive, tag, delete) for what
// the signed-in role may do, each confirmed, run in one gateway job, reported
// in the message bar and, where the service allows it, undoable.
#pragma once

#include "ui/content/contentbulkactions.h"
#include "ui/core/consolepage.h"

#include <QTimer>
#include <functional>
#include <optional>

QT_FORWARD_DECLARE_CLASS(QAction)
QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QStringListModel)
QT_FORWARD_DECLARE_CLASS(QTableView)
QT_FORWARD_DECLARE_CLASS(QToolBar)

namespace colophon {

class ServiceGateway;
class ContentListModel;
class MessageBar;

class ContentListPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit ContentListPage(ServiceGateway &gateway, QWidget *parent = nullptr);

    ContentListModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    MessageBar *messageBar() const { return m_messageBar; }
    // The ids of the selected rows that are loaded.
    QStringList selectedIds() const;

    void pageShown() override;
    void focusSearch() override;
    void createNew() override;

signals:
    // Open the item in the editor.
    void openRequested(const QString &id);
    // Make a new item.
    void newRequested();

private:
    void buildFilterBar();
    void buildActions();
    void applyFilters();
    void clearFilters();
    void fillCategories();
    void refreshTags();
    // Tags for the completers: loaded on first use, then kept fresh.
    void wantTags();
    bool eventFilter(QObject *watched, QEvent *event) override;
    void updateActions();
    void updateCount();
    void sectionClicked(int section);
    void openCurrent();
    void showContextMenu(const QPoint &pos);
    void reselect();

    void bulkStatus(ContentStatus to);
    void bulkTag();
    void bulkDelete();
    // Collects the selection into the operation; false when nothing is selected.
    bool collectTargets(BulkOperation &operation) const;
    bool confirm(const QString &question, const QString &detail, const QString &acceptLabel,
                 bool destructive);
    void runOperation(BulkOperation operation);
    void showReport(const BulkReport &report);

    ServiceGateway &m_gateway;
    ContentListModel *m_model;
    QTableView *m_view = nullptr;
    MessageBar *m_messageBar = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_status = nullptr;
    QComboBox *m_type = nullptr;
    QComboBox *m_category = nullptr;
    QLineEdit *m_tag = nullptr;
    bool m_tagsWanted = false;
    bool m_shownBefore = false;
    QStringListModel *m_tagNames = nullptr;
    QPushButton *m_clear = nullptr;
    QLabel *m_count = nullptr;
    QToolBar *m_toolBar = nullptr;

    QAction *m_open = nullptr;
    QAction *m_new = nullptr;
    QAction *m_submit = nullptr;
    QAction *m_publish = nullptr;
    QAction *m_archive = nullptr;
    QAction *m_addTag = nullptr;
    QAction *m_delete = nullptr;

    QTimer m_searchTimer;
    QTimer m_tagsTimer;
    bool m_busy = false; // a bulk job is running
    std::optional<BulkOperation> m_undo;
    QStringList m_reselect; // ids to select again once the list has reloaded
};

} // namespace colophon
