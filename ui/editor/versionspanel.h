// SPDX-License-Identifier: MIT
// The history of an item: its versions (number, who, when, what changed).
// Selecting one shows its state and what it changed; selecting two, or
// "Compare with current", shows a field-by-field diff with the body as a
// line diff. "Restore this version" asks, then asks the editor to restore.
#pragma once

#include "backend/core/error.h"

#include <QHash>
#include <QWidget>
#include <nlohmann/json.hpp>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QListWidget)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QTextBrowser)

namespace colophon {

class ActorNames;
class MessageBar;
class ServiceGateway;
struct ContentVersion;

class VersionsPanel final : public QWidget
{
    Q_OBJECT

public:
    VersionsPanel(ServiceGateway &gateway, ActorNames &names, QWidget *parent = nullptr);

    // The item whose history to show; empty clears the panel.
    void setItemId(const QString &id);
    // The item's current version: reloads the list when it moved on.
    void setCurrentVersion(int version);
    int versionCount() const { return m_count; }
    void reload();
    // For showing category names rather than ids in states and diffs.
    void setCategoryNames(const QHash<QString, QString> &names);
    // Whether the signed-in role may edit the item (restoring is an edit).
    void setRestoreAllowed(bool allowed);
    // A failed restore, shown in the panel's own message bar.
    void showError(const Error &error, const QString &context);
    void clearError();

    struct DiffLine
    {
        enum Kind { Same, Added, Removed } kind;
        QString text;
    };
    // Line by line, the longest common subsequence kept as context.
    static QList<DiffLine> lineDiff(const QString &before, const QString &after);
    // A readable HTML rendering of ContentService::diff's {field: {from, to}}.
    static QString renderDiff(const nlohmann::json &diff, const QHash<QString, QString> &categories,
                              bool darkPalette);
    // The fields of a version as HTML.
    static QString renderState(const nlohmann::json &state,
                               const QHash<QString, QString> &categories);
    // "Edited title, body", "Draft → review: needs a source", ...
    static QString describeChange(const ContentVersion &version);

signals:
    // The user confirmed restoring version n.
    void restoreRequested(int version);

private:
    void showSelection();
    void compareWithCurrent();
    void confirmRestore();
    void updateButtons();
    QList<int> selectedVersions() const;
    bool darkPalette() const;

    ServiceGateway &m_gateway;
    ActorNames &m_names;
    QString m_itemId;
    int m_count = 0;
    int m_wantedVersion = 0;
    int m_request = 0; // drops answers to older selections
    bool m_restoreAllowed = false;
    QHash<QString, QString> m_categoryNames;
    QListWidget *m_list;
    QTextBrowser *m_diff;
    QPushButton *m_compare;
    QPushButton *m_restore;
    QLabel *m_hint;
    MessageBar *m_messageBar;
};

} // namespace colophon
