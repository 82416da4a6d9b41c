#include "rpc_server/health_watch_call.h"

#include <grpc/support/time.h>

namespace sockrpc {

void HealthWatchCall::Await(HealthService& health,
                            grpc::health::v1::Health::AsyncService& service,
                            ServingThreads& threads) {
  new HealthWatchCall(health, service, threads);
}

HealthWatchCall::HealthWatchCall(HealthService& health,
                                 grpc::health::v1::Health::AsyncService& service,
                                 ServingThreads& threads)
    : live_(threads), health_(health), service_(service), threads_(threads), writer_(&context_) {
  // Delivered once a call that started is over (never for one that did not).
  context_.AsyncNotifyWhenDone(HandOff(&done_));
  service_.RequestWatch(&context_, &request_, &writer_, threads_.queue(), threads_.queue(),
                        HandOff(&started_));
}

void HealthWatchCall::Notify(HealthService::ServingStatus status) {
  std::lock_guard lock(mu_);
  pending_ = status;
  WakeLocked();
}

void HealthWatchCall::End() {
  std::lock_guard lock(mu_);
  ending_ = true;
  WakeLocked();
}

void HealthWatchCall::WakeLocked() {
  if (alarm_set_) return;
  alarm_set_ = true;
  // Already due: fires on the queue as soon as a serving thread gets to it.
  alarm_.Set(threads_.queue(), gpr_time_0(GPR_CLOCK_MONOTONIC), HandOff(&alarm_fired_));
}

void HealthWatchCall::OnStarted(bool ok) {
  if (!ok) {
    // The server is shutting down: no call will come, and nothing else is
    // outstanding.
    delete this;
    return;
  }
  Await(health_, service_, threads_);
  bool watch = false;
  {
    std::lock_guard lock(mu_);
    if (request_.service().size() > kMaxHealthServiceNameLength) {
      finishing_ = true;
      finish_started_ = true;
      writer_.Finish(grpc::Status(grpc::StatusCode::INTERNAL, "could not parse request"),
                     HandOff(&finish_done_));
    } else {
      service_name_ = request_.service();
      watch = true;
    }
  }
  if (watch) health_.AddWatcher(service_name_, this);  // notifies the current status
  std::unique_lock lock(mu_);
  starting_ = false;
  watching_ = watch;
  if (watching_ && call_over_) {
    // The call ended while this registered: OnDone left the unregistering here.
    lock.unlock();
    StopWatching();
    return;
  }
  Settle(lock);
}

void HealthWatchCall::OnAlarm(bool /*ok*/) {
  std::unique_lock lock(mu_);
  alarm_set_ = false;
  WritePendingLocked();
  Settle(lock);
}

void HealthWatchCall::OnWriteDone(bool ok) {
  std::unique_lock lock(mu_);
  writing_ = false;
  // Not ok: the client is gone; the done tag follows.
  if (ok) WritePendingLocked();
  Settle(lock);
}

void HealthWatchCall::OnFinishDone(bool /*ok*/) {
  std::unique_lock lock(mu_);
  finishing_ = false;
  Settle(lock);
}

void HealthWatchCall::OnDone(bool /*ok*/) {
  std::unique_lock lock(mu_);
  call_over_ = true;
  if (!watching_ || starting_) {
    Settle(lock);  // (if still starting, OnStarted unregisters)
    return;
  }
  lock.unlock();
  StopWatching();
}

void HealthWatchCall::StopWatching() {
  health_.RemoveWatcher(service_name_, this);  // no Notify() after this returns
  std::unique_lock lock(mu_);
  watching_ = false;
  if (alarm_set_) alarm_.Cancel();  // fires at once, not ok
  Settle(lock);
}

void HealthWatchCall::WritePendingLocked() {
  if (writing_ || finish_started_ || call_over_) return;
  if (pending_.has_value()) {
    response_.set_status(*pending_);
    pending_.reset();
    writing_ = true;
    writer_.Write(response_, HandOff(&write_done_));
  } else if (ending_) {
    finishing_ = true;
    finish_started_ = true;
    writer_.Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"),
                   HandOff(&finish_done_));
  }
}

void HealthWatchCall::Settle(std::unique_lock<std::mutex>& lock) {
  const bool done = call_over_ && !starting_ && !watching_ && !alarm_set_ && !writing_ &&
                    !finishing_;
  lock.unlock();
  if (done) delete this;
}

}  // namespace sockrpc
