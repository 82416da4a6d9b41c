#include "legacy_bridge/core_calls/batch_queue.h"

namespace sockrpc {

void BatchQueue::Add(uint64_t wire_sequence, const std::string& decimal) {
  const bool back_open = has_unsent() && batches_.back().requests_size() < kMaxRequests &&
                         back_digits_ + decimal.size() <= kMaxDigits;
  if (!back_open) {
    batches_.emplace_back();
    back_digits_ = 0;
  }
  back_digits_ += decimal.size();
  unsent_digits_ += decimal.size();
  auto& request = *batches_.back().add_requests();
  request.set_sequence(wire_sequence);
  request.set_decimal(decimal);
}

const sockrpc::square::v1::SquareBatchStreamRequest& BatchQueue::StartSending() {
  in_flight_ = true;
  for (const auto& request : batches_.front().requests()) unsent_digits_ -= request.decimal().size();
  return batches_.front();
}

void BatchQueue::SendingDone() {
  if (!in_flight_) return;  // cleared while it was in flight
  in_flight_ = false;
  batches_.pop_front();
}

void BatchQueue::Clear() {
  batches_.clear();
  back_digits_ = 0;
  unsent_digits_ = 0;
  in_flight_ = false;
}

}  // namespace sockrpc
