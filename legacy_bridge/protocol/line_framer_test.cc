#include "legacy_bridge/protocol/line_framer.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/string_view.h"

namespace sockrpc {
namespace {

using namespace std::string_literals;  // "\0"s keeps embedded NULs

constexpr size_t kLargeLimit = size_t{1} << 30;

// Every complete message now buffered, in order.
std::vector<std::string> DrainMessages(LineFramer& framer) {
  std::vector<std::string> messages;
  while (std::optional<absl::string_view> message = framer.Next()) {
    messages.emplace_back(*message);
  }
  return messages;
}

// The obvious splitter: the messages of `stream` and its unterminated rest.
struct Split {
  std::vector<std::string> messages;
  std::string partial;
};

Split ReferenceSplit(const std::string& stream) {
  Split split;
  size_t start = 0;
  for (size_t end = stream.find('\n'); end != std::string::npos; end = stream.find('\n', start)) {
    split.messages.push_back(stream.substr(start, end - start));
    start = end + 1;
  }
  split.partial = stream.substr(start);
  return split;
}

using Messages = std::vector<std::string>;

TEST(LineFramerTest, AMessageEndsAtNewlineWhichIsNotPartOfIt) {
  LineFramer framer(kLargeLimit);
  framer.Append("5\n");
  const std::optional<absl::string_view> message = framer.Next();
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(*message, "5");
  EXPECT_FALSE(framer.Next().has_value());
  EXPECT_EQ(framer.Partial(), "");
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(LineFramerTest, NothingIsAMessageBeforeANewline) {
  LineFramer framer(kLargeLimit);
  EXPECT_FALSE(framer.Next().has_value());
  framer.Append("123");
  EXPECT_FALSE(framer.HasCompleteMessage());
  EXPECT_FALSE(framer.Next().has_value());
  EXPECT_EQ(framer.Partial(), "123");
}

TEST(LineFramerTest, SeveralMessagesInOneAppendComeOutInOrder) {
  LineFramer framer(kLargeLimit);
  framer.Append("1\n22\n\n333\n4");
  EXPECT_EQ(DrainMessages(framer), (Messages{"1", "22", "", "333"}));
  EXPECT_EQ(framer.Partial(), "4");
}

TEST(LineFramerTest, EmptyLinesAreEmptyMessages) {
  LineFramer framer(kLargeLimit);
  framer.Append("\n\n\n");
  EXPECT_EQ(DrainMessages(framer), (Messages{"", "", ""}));
  EXPECT_EQ(framer.Partial(), "");
}

TEST(LineFramerTest, CarriageReturnsAndNulBytesStayInTheMessage) {
  LineFramer framer(kLargeLimit);
  framer.Append("5\r\n\0x\0\n"s);
  EXPECT_EQ(DrainMessages(framer), (Messages{"5\r", "\0x\0"s}));
}

TEST(LineFramerTest, AMessageSplitOverManyAppendsIsOneMessage) {
  LineFramer framer(kLargeLimit);
  framer.Append("12");
  EXPECT_TRUE(DrainMessages(framer).empty());
  framer.Append("34");
  EXPECT_TRUE(DrainMessages(framer).empty());
  framer.Append("56\n7");
  EXPECT_EQ(DrainMessages(framer), (Messages{"123456"}));
  framer.Append("8\n");
  EXPECT_EQ(DrainMessages(framer), (Messages{"78"}));
}

TEST(LineFramerTest, ByteByByteAppendsGiveTheSameMessages) {
  const std::string stream = "Hi there!\n5\n\n1_000\r\n-7\nrest";
  LineFramer framer(kLargeLimit);
  Messages messages;
  for (const char c : stream) {
    framer.Append(absl::string_view(&c, 1));
    for (std::string& message : DrainMessages(framer)) messages.push_back(std::move(message));
  }
  EXPECT_EQ(messages, (Messages{"Hi there!", "5", "", "1_000\r", "-7"}));
  EXPECT_EQ(framer.Partial(), "rest");
}

TEST(LineFramerTest, HasCompleteMessageTellsWhetherNextWouldReturnOne) {
  LineFramer framer(kLargeLimit);
  EXPECT_FALSE(framer.HasCompleteMessage());
  framer.Append("ab");
  EXPECT_FALSE(framer.HasCompleteMessage());
  framer.Append("c\nd\n");
  EXPECT_TRUE(framer.HasCompleteMessage());
  ASSERT_TRUE(framer.Next().has_value());
  EXPECT_TRUE(framer.HasCompleteMessage());
  ASSERT_TRUE(framer.Next().has_value());
  EXPECT_FALSE(framer.HasCompleteMessage());
  framer.Append("e");
  EXPECT_FALSE(framer.HasCompleteMessage());
  EXPECT_FALSE(framer.Next().has_value());
  EXPECT_FALSE(framer.HasCompleteMessage());
  framer.Append("\n");
  EXPECT_TRUE(framer.HasCompleteMessage());
}

TEST(LineFramerTest, PartialIsTheBytesAfterTheLastCompleteMessage) {
  LineFramer framer(kLargeLimit);
  framer.Append("1\n2\n34");
  DrainMessages(framer);
  EXPECT_EQ(framer.Partial(), "34");
  EXPECT_EQ(framer.buffered_bytes(), 2u);
  framer.Append("5");
  EXPECT_FALSE(framer.Next().has_value());
  EXPECT_EQ(framer.Partial(), "345");
}

TEST(LineFramerTest, TakePartialReturnsThePartialAndEmptiesTheBuffer) {
  LineFramer framer(kLargeLimit);
  framer.Append("7\n12");
  EXPECT_EQ(DrainMessages(framer), (Messages{"7"}));
  EXPECT_EQ(framer.TakePartial(), "12");
  EXPECT_EQ(framer.Partial(), "");
  EXPECT_EQ(framer.buffered_bytes(), 0u);
  EXPECT_FALSE(framer.Next().has_value());
  // The framer carries on normally afterwards.
  framer.Append("34\n");
  EXPECT_EQ(DrainMessages(framer), (Messages{"34"}));
}

TEST(LineFramerTest, TakePartialOfNothingIsEmpty) {
  LineFramer framer(kLargeLimit);
  EXPECT_EQ(framer.TakePartial(), "");
  framer.Append("1\n");
  DrainMessages(framer);
  EXPECT_EQ(framer.TakePartial(), "");
}

TEST(LineFramerTest, ACompleteMessageAtTheLimitIsNotTooLong) {
  LineFramer framer(4);
  framer.Append("abcd\n");
  EXPECT_FALSE(framer.TooLong());
  EXPECT_EQ(DrainMessages(framer), (Messages{"abcd"}));
}

TEST(LineFramerTest, ACompleteMessageOneByteOverTheLimitIsTooLong) {
  LineFramer framer(4);
  framer.Append("abcde\n");
  EXPECT_TRUE(framer.TooLong());
}

TEST(LineFramerTest, APartialMessageAtTheLimitIsNotTooLongButOneMoreByteIs) {
  LineFramer framer(4);
  framer.Append("ab");
  EXPECT_FALSE(framer.TooLong());
  framer.Append("cd");
  EXPECT_FALSE(framer.TooLong());
  framer.Append("e");
  EXPECT_TRUE(framer.TooLong());
}

TEST(LineFramerTest, APartialGrownByteByByteIsTooLongExactlyPastTheLimit) {
  LineFramer framer(10);
  for (int i = 0; i < 10; ++i) {
    framer.Append("9");
    EXPECT_FALSE(framer.Next().has_value());
    EXPECT_FALSE(framer.TooLong()) << "after " << i + 1 << " bytes";
  }
  framer.Append("9");
  EXPECT_TRUE(framer.TooLong());
}

TEST(LineFramerTest, TooLongJudgesTheNextCompleteMessageBeforeThePartial) {
  LineFramer framer(3);
  framer.Append("abc\nlong partial");
  EXPECT_FALSE(framer.TooLong());  // "abc" comes first and is fine
  ASSERT_EQ(framer.Next(), absl::string_view("abc"));
  EXPECT_TRUE(framer.TooLong());  // now the partial is the message being received

  LineFramer other(3);
  other.Append("abcd\nx");
  EXPECT_TRUE(other.TooLong());
}

TEST(LineFramerTest, TooLongCountsOnlyTheCurrentMessageNotEarlierOnes) {
  LineFramer framer(4);
  framer.Append("abcd\nabcd\nabcd");
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(framer.TooLong());
    ASSERT_TRUE(framer.Next().has_value());
  }
  EXPECT_FALSE(framer.TooLong());
  framer.Append("\nabcd");
  EXPECT_FALSE(framer.TooLong());
  ASSERT_TRUE(framer.Next().has_value());
  EXPECT_FALSE(framer.TooLong());
  framer.Append("e");
  EXPECT_TRUE(framer.TooLong());
}

TEST(LineFramerTest, GenerationChangesWhenBytesAreAppended) {
  LineFramer framer(kLargeLimit);
  uint64_t generation = framer.generation();
  for (const absl::string_view bytes : {"1", "2", "\n", "3\n4", "\n\n"}) {
    framer.Append(bytes);
    EXPECT_NE(framer.generation(), generation) << "after appending " << bytes;
    DrainMessages(framer);
    generation = framer.generation();
  }
}

TEST(LineFramerTest, GenerationChangesWhenThePartialIsTaken) {
  LineFramer framer(kLargeLimit);
  framer.Append("12");
  const uint64_t before = framer.generation();
  EXPECT_EQ(framer.TakePartial(), "12");
  EXPECT_NE(framer.generation(), before);
}

TEST(LineFramerTest, GenerationStaysWhenThePartialDoesNotChange) {
  LineFramer framer(kLargeLimit);
  framer.Append("1\n2\n34");
  ASSERT_TRUE(framer.Next().has_value());  // more bytes stay buffered
  const uint64_t generation = framer.generation();
  // Reading const state leaves it.
  EXPECT_TRUE(framer.HasCompleteMessage());
  EXPECT_FALSE(framer.TooLong());
  EXPECT_EQ(framer.Partial(), "2\n34");
  EXPECT_EQ(framer.generation(), generation);
  // Taking a complete message ahead of the partial leaves it.
  ASSERT_EQ(framer.Next(), absl::string_view("2"));
  EXPECT_EQ(framer.generation(), generation);
  // Finding no complete message leaves it, however often.
  EXPECT_FALSE(framer.Next().has_value());
  EXPECT_FALSE(framer.Next().has_value());
  EXPECT_EQ(framer.generation(), generation);
  // Appending nothing leaves it.
  framer.Append("");
  EXPECT_EQ(framer.generation(), generation);
  EXPECT_EQ(framer.Partial(), "34");
}

TEST(LineFramerTest, GenerationNeverRepeatsAcrossPartialChanges) {
  // A decision about the partial of one generation must never look valid for
  // a later partial, even one with the same bytes.
  LineFramer framer(kLargeLimit);
  std::vector<uint64_t> seen = {framer.generation()};
  auto record = [&] {
    for (const uint64_t earlier : seen) EXPECT_NE(framer.generation(), earlier);
    seen.push_back(framer.generation());
  };
  framer.Append("12");
  record();
  framer.TakePartial();
  record();
  framer.Append("12");
  record();
  framer.Append("\n");
  record();
  DrainMessages(framer);
  if (framer.generation() != seen.back()) record();
  framer.Append("12");
  record();
}

TEST(LineFramerTest, AViewFromNextStaysValidAcrossConstCalls) {
  LineFramer framer(kLargeLimit);
  framer.Append("first message\nsecond\nthird");
  const std::optional<absl::string_view> first = framer.Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(framer.HasCompleteMessage());
  EXPECT_FALSE(framer.TooLong());
  EXPECT_EQ(framer.Partial(), "second\nthird");
  EXPECT_EQ(framer.buffered_bytes(), 12u);
  (void)framer.generation();
  EXPECT_EQ(*first, "first message");
}

TEST(LineFramerTest, ViewsFromNextStayCorrectWhileAppendsCompactTheBuffer) {
  // Every Next() is followed by const calls only, then the view is checked;
  // the buffer is compacted by Appends in between, which must not disturb the
  // views handed out after them.
  LineFramer framer(kLargeLimit);
  for (int round = 0; round < 200; ++round) {
    const std::string line = std::string(static_cast<size_t>(round % 37), 'x') + std::to_string(round);
    framer.Append(line + "\n" + "y");
    framer.Append("z");
    const std::optional<absl::string_view> message = framer.Next();
    ASSERT_TRUE(message.has_value());
    (void)framer.HasCompleteMessage();
    (void)framer.TooLong();
    (void)framer.Partial();
    EXPECT_EQ(*message, std::string(round == 0 ? line : "yz" + line));
    // Leave "yz" as the start of the next line.
  }
}

TEST(LineFramerTest, BufferedBytesCountsCompleteMessagesAndThePartial) {
  LineFramer framer(kLargeLimit);
  framer.Append("ab\ncd\nef");
  EXPECT_EQ(framer.buffered_bytes(), 8u);
  ASSERT_TRUE(framer.Next().has_value());
  EXPECT_EQ(framer.buffered_bytes(), 5u);
  ASSERT_TRUE(framer.Next().has_value());
  EXPECT_EQ(framer.buffered_bytes(), 2u);
  framer.TakePartial();
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(LineFramerTest, AMebibyteOfShortLinesInOneAppendIsSplitCompletely) {
  std::string stream;
  size_t lines = 0;
  while (stream.size() < (size_t{1} << 20)) {
    stream += std::to_string(lines++) + "\n";
  }
  LineFramer framer(4096);
  framer.Append(stream);
  size_t count = 0;
  while (std::optional<absl::string_view> message = framer.Next()) {
    ASSERT_FALSE(framer.TooLong());
    ASSERT_EQ(*message, std::to_string(count));
    ++count;
  }
  EXPECT_EQ(count, lines);
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(LineFramerTest, AMebibyteOfShortLinesInSmallAppendsIsSplitCompletely) {
  std::string stream;
  size_t lines = 0;
  while (stream.size() < (size_t{1} << 20)) {
    stream += std::to_string(lines++) + "\n";
  }
  LineFramer framer(4096);
  size_t count = 0;
  for (size_t at = 0; at < stream.size(); at += 7) {
    framer.Append(absl::string_view(stream).substr(at, 7));
    ASSERT_FALSE(framer.TooLong());
    while (std::optional<absl::string_view> message = framer.Next()) {
      ASSERT_EQ(*message, std::to_string(count));
      ++count;
    }
  }
  EXPECT_EQ(count, lines);
  // The buffer holds only what is not yet handed out.
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(LineFramerTest, AMebibyteLineAppendedByteByByteIsScannedInLinearTime) {
  // Rescanning the partial on every byte would take ~5e11 steps here.
  constexpr size_t kSize = size_t{1} << 20;
  LineFramer framer(kSize);
  const char byte = '7';
  for (size_t i = 0; i < kSize; ++i) {
    framer.Append(absl::string_view(&byte, 1));
    ASSERT_FALSE(framer.TooLong());
    ASSERT_FALSE(framer.HasCompleteMessage());
    ASSERT_FALSE(framer.Next().has_value());
  }
  framer.Append("7");
  EXPECT_TRUE(framer.TooLong());
  framer.Append("\n");
  const std::optional<absl::string_view> message = framer.Next();
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->size(), kSize + 1);
}

TEST(LineFramerTest, RandomChunkingMatchesAReferenceSplitter) {
  std::mt19937 random(20240611);
  const std::string alphabet = "0123456789 _-+x\r\n\n\n\0\xff"s;
  for (int trial = 0; trial < 500; ++trial) {
    const size_t limit = std::uniform_int_distribution<size_t>(0, 12)(random);
    const size_t length = std::uniform_int_distribution<size_t>(0, 300)(random);
    std::string stream;
    for (size_t i = 0; i < length; ++i) {
      stream.push_back(alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(random)]);
    }
    const Split expected = ReferenceSplit(stream);

    LineFramer framer(limit);
    Messages messages;
    size_t fed = 0;
    while (fed < stream.size()) {
      const size_t chunk =
          std::min(stream.size() - fed, std::uniform_int_distribution<size_t>(1, 40)(random));
      const uint64_t generation = framer.generation();
      framer.Append(absl::string_view(stream).substr(fed, chunk));
      fed += chunk;
      ASSERT_NE(framer.generation(), generation);
      // Checked against the reference split of what was fed so far.
      const Split so_far = ReferenceSplit(stream.substr(0, fed));
      while (true) {
        const bool complete = framer.HasCompleteMessage();
        const size_t index = messages.size();
        ASSERT_EQ(complete, index < so_far.messages.size()) << "trial " << trial;
        const size_t current =
            complete ? so_far.messages[index].size() : so_far.partial.size();
        ASSERT_EQ(framer.TooLong(), current > limit) << "trial " << trial;
        const std::optional<absl::string_view> message = framer.Next();
        ASSERT_EQ(message.has_value(), complete);
        if (!message.has_value()) break;
        messages.emplace_back(*message);
      }
      ASSERT_EQ(framer.Partial(), so_far.partial) << "trial " << trial;
      ASSERT_EQ(framer.buffered_bytes(), so_far.partial.size());
    }
    EXPECT_EQ(messages, expected.messages) << "trial " << trial;
    EXPECT_EQ(framer.TakePartial(), expected.partial) << "trial " << trial;
  }
}

TEST(LineFramerTest, RandomChunkingWithTakePartialMatchesAReferenceSplitter) {
  // Interleaves TakePartial (a speculation committed) at random points: the
  // stream then splits as if a newline had been there.
  std::mt19937 random(7);
  for (int trial = 0; trial < 300; ++trial) {
    LineFramer framer(kLargeLimit);
    std::string reference_stream;
    Messages messages;
    for (int step = 0; step < 30; ++step) {
      std::string chunk;
      const size_t length = std::uniform_int_distribution<size_t>(0, 8)(random);
      for (size_t i = 0; i < length; ++i) {
        chunk.push_back("ab\n"[std::uniform_int_distribution<int>(0, 2)(random)]);
      }
      framer.Append(chunk);
      reference_stream += chunk;
      for (std::string& message : DrainMessages(framer)) messages.push_back(std::move(message));
      if (std::uniform_int_distribution<int>(0, 3)(random) == 0 && !framer.Partial().empty()) {
        messages.push_back(framer.TakePartial());
        reference_stream += "\n";
      }
    }
    const Split expected = ReferenceSplit(reference_stream);
    EXPECT_EQ(messages, expected.messages) << "trial " << trial;
    EXPECT_EQ(framer.Partial(), expected.partial) << "trial " << trial;
  }
}

}  // namespace
}  // namespace sockrpc
