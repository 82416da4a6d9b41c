// What a thread polling a gRPC completion queue gets back: one finished
// operation of a call, which tells the call. Every call object keeps one tag
// per kind of operation it can have outstanding at once (a stream's read,
// write and finish), so a completion says which of them finished. The core's
// serving threads and the bridge's completion thread both use them.
#ifndef SOCKRPC_COMMON_COMPLETION_TAG_H_
#define SOCKRPC_COMMON_COMPLETION_TAG_H_

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace sockrpc {

class CompletionTag;

// gRPC carries a tag from the thread that starts an operation to the thread
// that takes its completion, through synchronization that ThreadSanitizer
// cannot see (Debian's gRPC is not built with it): the polling thread would
// seem to read a call object another thread had just written. Every tag
// given to gRPC goes through HandOff and every tag taken from the queue
// through TakeOver, which tell ThreadSanitizer about that hand-over; in other
// builds they do nothing.
inline void* HandOff(CompletionTag* tag) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(tag);
#endif
  return tag;
}

inline CompletionTag* TakeOver(void* tag) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(tag);
#endif
  return static_cast<CompletionTag*>(tag);
}

class CompletionTag {
 public:
  virtual ~CompletionTag() = default;
  // `ok`: what the completion queue reported (false: the operation failed, the
  // call is over, or the server is shutting down).
  virtual void Complete(bool ok) = 0;
};

// A tag that calls a member function of its call.
template <typename Call>
class CallTag final : public CompletionTag {
 public:
  CallTag(Call* call, void (Call::*on_complete)(bool)) : call_(call), on_complete_(on_complete) {}
  void Complete(bool ok) override { (call_->*on_complete_)(ok); }

 private:
  Call* const call_;
  void (Call::*const on_complete_)(bool);
};

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_COMPLETION_TAG_H_
