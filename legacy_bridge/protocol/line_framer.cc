#include "legacy_bridge/protocol/line_framer.h"

#include <algorithm>
#include <cstring>

namespace sockrpc {

void LineFramer::Append(absl::string_view bytes) {
  if (bytes.empty()) return;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = scanned_ = 0;
  } else if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    // Drop what was handed out, so the buffer never grows past the bytes held.
    buffer_.erase(0, consumed_);
    scanned_ -= consumed_;
    consumed_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
  ++generation_;
}

std::optional<absl::string_view> LineFramer::Next() {
  const size_t from = std::max(consumed_, scanned_);
  const void* newline = std::memchr(buffer_.data() + from, '\n', buffer_.size() - from);
  if (newline == nullptr) {
    scanned_ = buffer_.size();
    return std::nullopt;
  }
  const size_t end = static_cast<size_t>(static_cast<const char*>(newline) - buffer_.data());
  const absl::string_view message(buffer_.data() + consumed_, end - consumed_);
  consumed_ = end + 1;
  scanned_ = consumed_;
  // The buffer is compacted by the next Append, so the view stays valid.
  if (consumed_ == buffer_.size()) ++generation_;  // the partial message (now empty) changed
  return message;
}

bool LineFramer::HasCompleteMessage() const {
  const size_t from = std::max(consumed_, scanned_);
  return std::memchr(buffer_.data() + from, '\n', buffer_.size() - from) != nullptr;
}

bool LineFramer::TooLong() const {
  const size_t from = std::max(consumed_, scanned_);
  const void* newline = std::memchr(buffer_.data() + from, '\n', buffer_.size() - from);
  const size_t end = newline == nullptr
                         ? buffer_.size()
                         : static_cast<size_t>(static_cast<const char*>(newline) - buffer_.data());
  return end - consumed_ > max_message_bytes_;
}

absl::string_view LineFramer::Partial() const {
  return absl::string_view(buffer_.data() + consumed_, buffer_.size() - consumed_);
}

std::string LineFramer::TakePartial() {
  std::string partial(Partial());
  buffer_.clear();
  consumed_ = scanned_ = 0;
  ++generation_;
  return partial;
}

}  // namespace sockrpc
