// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Joins the parts of concatenated messages (pure: time is an argument).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace cunxin::sms {

struct Pdu;

/// One received part (as the store persists it).
struct Part {
    std::string sender;
    int reference = 0;
    int part = 1;   ///< 1-based
    int total = 1;
    std::string text;  ///< decoded UTF-8 text of this part
    std::chrono::system_clock::time_point received_at{};
    std::int64_t id = 0;  ///< the caller's id of this part (e.g. store row), echoed back
};

/// The Part of a decoded PDU (a single-part message gives part 1 of 1, reference 0).
Part part_of(const Pdu& pdu, std::chrono::system_clock::time_point received_at,
             std::int64_t id = 0);

/// A joined message, complete or (from expire()) with gaps.
struct Joined {
    std::string sender;
    int reference = 0;
    int total = 1;
    std::string text;            ///< parts in order; gaps replaced by the marker given
    std::vector<int> missing;    ///< part numbers absent (empty when complete)
    std::vector<std::int64_t> part_ids;  ///< ids of the parts used, in part order
    std::chrono::system_clock::time_point first_received{};
};

/// What add() did.
enum class AddStatus { Added, Complete, Duplicate, Invalid };

/// Result of add().
struct AddOutcome {
    AddStatus status = AddStatus::Added;
    std::optional<Joined> message;  ///< set when status == Complete
    std::vector<int> missing;       ///< still-missing part numbers when Added
};

/// Holds incomplete multipart messages keyed by sender + reference + total.
class Reassembler {
public:
    Reassembler() = default;
    /// Rebuilds the pending state from persisted parts (complete groups are kept too:
    /// call take_complete() to get them).
    explicit Reassembler(const std::vector<Part>& stored);

    /// Adds a part. Out of order is fine; a second copy of a part is a Duplicate;
    /// part < 1, part > total or total < 1 is Invalid. total == 1 completes at once.
    AddOutcome add(Part part);

    /// Removes and returns every complete group (after rebuilding from storage).
    std::vector<Joined> take_complete();

    /// Removes and returns groups whose first part arrived before `now - max_age`,
    /// joined with `gap_marker` in place of each missing part.
    std::vector<Joined> expire(std::chrono::system_clock::time_point now,
                               std::chrono::seconds max_age, const std::string& gap_marker);

    /// Incomplete groups as they stand (text joined with `gap_marker`).
    std::vector<Joined> pending(const std::string& gap_marker = "") const;

    /// Number of groups held.
    std::size_t size() const noexcept { return groups_.size(); }

private:
    using Key = std::tuple<std::string, int, int>;
    struct Group {
        std::map<int, Part> parts;
        std::chrono::system_clock::time_point first_received{};
    };
    static Joined join(const Key& key, const Group& g, const std::string& gap_marker);
    std::map<Key, Group> groups_;
};

}  // namespace cunxin::sms
