// Splits the SQUARES byte stream into messages. Pure: no I/O.
//
// A message ends at '\n' (not part of the message). Bytes after the last '\n'
// are the partial message: it grows with every write of the client until a
// '\n' arrives, the client closes, or the session decides the client is
// waiting for its answer (see squares_session.h). A TCP read boundary is
// never a message boundary here.
#ifndef SOCKRPC_LEGACY_BRIDGE_PROTOCOL_LINE_FRAMER_H_
#define SOCKRPC_LEGACY_BRIDGE_PROTOCOL_LINE_FRAMER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sockrpc {

class LineFramer {
 public:
  // Messages longer than `max_message_bytes` (without the '\n') are too long.
  explicit LineFramer(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Adds bytes received from the client.
  void Append(absl::string_view bytes);

  // The next complete message, if one is buffered. The view is valid until
  // the next call of a non-const method.
  std::optional<absl::string_view> Next();

  // Whether a complete message is buffered.
  bool HasCompleteMessage() const;

  // Whether the message being received (the next complete one, or else the
  // partial one) is already longer than the limit.
  bool TooLong() const;

  // Bytes after the last complete message. Meaningful once Next() is empty.
  absl::string_view Partial() const;
  // Ends the partial message: returns it and empties the buffer.
  std::string TakePartial();

  // Changes whenever the partial message changes: a decision taken about the
  // partial message of one generation is void in another.
  uint64_t generation() const { return generation_; }

  // Bytes held, complete messages included.
  size_t buffered_bytes() const { return buffer_.size() - consumed_; }

 private:
  const size_t max_message_bytes_;
  std::string buffer_;
  size_t consumed_ = 0;  // bytes of buffer_ already returned as messages
  size_t scanned_ = 0;   // bytes of buffer_ known to hold no '\n' past consumed_
  uint64_t generation_ = 0;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_PROTOCOL_LINE_FRAMER_H_
