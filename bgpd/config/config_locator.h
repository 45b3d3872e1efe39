// Where configuration values sit in the text, and the problems found there: the loader's and
// the EVPN section reader's shared tools. A Locator walks protobuf's ParseInfoTree alongside a
// message, so each value read comes with a Site (field path plus 1-based line and column) and
// each problem names file, line, column and field. Internal to bgpd_config.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"

namespace evpnd::bgpd::config_internal {

namespace pb = ::google::protobuf;
using ParseInfoTree = pb::TextFormat::ParseInfoTree;


struct Site {
  std::string path;
  int line = 0;
  int column = 0;
};

// Walks the parser's ParseInfoTree next to one message. `tree` is null when the message was
// absent from the text; its fields then point at the nearest enclosing thing that was present.
// Field names are this file's constants, always fields of the message (the tests reach each).
class Locator {
 public:
  Locator(const pb::Descriptor* descriptor, const ParseInfoTree* tree, Site self)
      : descriptor_(descriptor), tree_(tree), self_(std::move(self)) {}

  const Site& self() const { return self_; }

  // The site of field `name` (the index-th value for a repeated field; -1 for the whole list).
  Site Field(absl::string_view name, int index = -1) const {
    const pb::FieldDescriptor* field = descriptor_->FindFieldByName(std::string(name));
    Site site{absl::StrCat(self_.path, self_.path.empty() ? "" : ".", name,
                           index >= 0 ? absl::StrCat("[", index, "]") : ""),
              self_.line, self_.column};
    if (tree_ == nullptr || field == nullptr) return site;
    // The parser records one location per occurrence of the field name, so the values of a list
    // (`families: [A, B]`) share one: the nearest earlier recorded occurrence stands in.
    int i = field->is_repeated() ? std::max(index, 0) : -1;
    pb::TextFormat::ParseLocation at = tree_->GetLocation(field, i);
    while (at.line < 0 && i > 0) at = tree_->GetLocation(field, --i);
    if (at.line >= 0) site.line = at.line + 1, site.column = at.column + 1;
    return site;
  }

  // The locator of message field `name` (index-th value when repeated).
  Locator Nested(absl::string_view name, int index = -1) const {
    const pb::FieldDescriptor* field = descriptor_->FindFieldByName(std::string(name));
    const ParseInfoTree* tree = nullptr;
    if (tree_ != nullptr && field != nullptr) {
      tree = tree_->GetTreeForNested(field, field->is_repeated() ? std::max(index, 0) : -1);
    }
    return Locator(field->message_type(), tree, Field(name, index));
  }

 private:
  const pb::Descriptor* descriptor_;
  const ParseInfoTree* tree_;
  Site self_;
};

// All problems found, each "FILE:LINE:COL: PATH: MESSAGE", reported together in file order.
// A problem found again (a group's own mistake, met once per member) is reported once.
class Problems {
 public:
  explicit Problems(absl::string_view file_name) : file_name_(file_name) {}

  void Add(const Site& site, absl::string_view message) {
    AddAt(site.line, site.column, absl::StrCat(site.path, ": ", message));
  }
  void AddAt(int line, int column, absl::string_view message) {
    // Messages quote what the file says: control characters are escaped so that a value can
    // never forge a line of its own ("x\nfake.conf:1:1: ...") in the one-problem-per-line list.
    std::string text;
    for (char c : message) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        text += "\\n";
      } else if (u < 0x20 || u == 0x7f) {
        absl::StrAppend(&text, "\\x", absl::Hex(u, absl::kZeroPad2));
      } else {
        text += c;
      }
    }
    for (const Entry& e : entries_) {
      if (e.line == line && e.column == column && e.text == text) return;
    }
    entries_.push_back({line, column, std::move(text)});
  }
  bool empty() const { return entries_.empty(); }

  absl::Status ToStatus() {
    std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    std::vector<std::string> lines;
    for (const Entry& e : entries_) {
      lines.push_back(e.line > 0
                          ? absl::StrCat(file_name_, ":", e.line, ":", e.column, ": ", e.text)
                          : absl::StrCat(file_name_, ": ", e.text));
    }
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }

 private:
  struct Entry {
    int line;
    int column;
    std::string text;
  };
  std::string file_name_;
  std::vector<Entry> entries_;
};

}  // namespace evpnd::bgpd::config_internal
