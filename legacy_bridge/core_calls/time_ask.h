// One request for the time on a shared NowStream (shared_time_stream.h), on
// behalf of the TIME clients of one coalesced round (core_client.h).
//
// If the stream carrying it ends before answering, it may be sent again on
// another: a time is idempotent, and an answer read at any later moment is
// still taken after its clients connected. It is answered exactly once, by
// the first of: the core's answer, a failure that is final, or its deadline.
// Past the deadline the stream carrying it is cancelled: it is stuck, and no
// request should be sent there again.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_TIME_ASK_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_TIME_ASK_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/completion_tag.h"

namespace sockrpc {

class SharedTimeStream;

class TimeAsk : public std::enable_shared_from_this<TimeAsk> {
 public:
  using Done = std::function<void(absl::StatusOr<std::string> ctime)>;

  TimeAsk(std::string time_zone, Done done)
      : time_zone_(std::move(time_zone)), done_(std::move(done)) {}

  const std::string& time_zone() const { return time_zone_; }

  // Starts the deadline `timeout` from now, on `queue` (whose thread runs it).
  void Arm(grpc::CompletionQueue& queue, absl::Duration timeout);
  // The first call runs `done` (on the caller's thread); later ones do nothing.
  void Answer(absl::StatusOr<std::string> ctime);
  bool answered() const { return answered_.load(); }

  // The ask is now carried by `stream`; returns how many streams carried it.
  int SentOn(const std::shared_ptr<SharedTimeStream>& stream);
  // How many streams carried it so far.
  int sends() {
    std::lock_guard lock(mu_);
    return sends_;
  }

 private:
  void OnDeadline(bool fired);

  const std::string time_zone_;
  const Done done_;
  std::atomic<bool> answered_{false};
  grpc::Alarm alarm_;
  absl::Duration timeout_;
  CallTag<TimeAsk> deadline_tag_{this, &TimeAsk::OnDeadline};
  std::mutex mu_;  // guards what follows
  // Keeps the ask alive while its alarm is set.
  std::shared_ptr<TimeAsk> armed_;
  std::weak_ptr<SharedTimeStream> stream_;
  int sends_ = 0;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_TIME_ASK_H_
