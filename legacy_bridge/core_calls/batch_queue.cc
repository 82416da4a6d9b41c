#include "legacy_bridge/core_calls/batch_queue.h"

#include "absl/strings/numbers.h"

namespace sockrpc {

void BatchQueue::Add(uint64_t wire_sequence, const std::string& decimal) {
  // has_unsent(): the back batch is not in flight, so it still takes requests.
  const bool back_open = has_unsent() && batches_.back().message.requests_size() < kMaxRequests &&
                         batches_.back().digits + decimal.size() <= kMaxDigits;
  if (!back_open) batches_.emplace_back();
  Batch& back = batches_.back();
  back.digits += decimal.size();
  unsent_digits_ += decimal.size();
  auto& request = *back.message.add_requests();
  request.set_sequence(wire_sequence);
  // The decimal is canonical (no sign but '-', no leading zeros or spaces),
  // so the int64 form is the same integer, and the core answers it the same.
  int64_t value = 0;
  if (absl::SimpleAtoi(decimal, &value)) {
    request.set_value(value);
  } else {
    request.set_decimal(decimal);
  }
}

const sockrpc::square::v1::SquareBatchStreamRequest& BatchQueue::StartSending() {
  in_flight_ = true;
  unsent_digits_ -= batches_.front().digits;
  return batches_.front().message;
}

void BatchQueue::SendingDone() {
  if (!in_flight_) return;  // cleared while it was in flight
  in_flight_ = false;
  batches_.pop_front();
}

void BatchQueue::Clear() {
  batches_.clear();
  unsent_digits_ = 0;
  in_flight_ = false;
}

}  // namespace sockrpc
