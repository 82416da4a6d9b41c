#include <string>

#include <gtest/gtest.h>

#include "tests/rpc_server/in_process_server.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareRequest;
using sockrpc::square::v1::SquareResponse;

class SquareServiceTest : public InProcessServerTest {
 protected:
  void SetUp() override { StartServer(); }

  grpc::Status Square(const SquareRequest& request, SquareResponse* response) {
    return square_->Square(Context().get(), request, response);
  }
};

SquareRequest Value(int64_t value) {
  SquareRequest request;
  request.set_value(value);
  return request;
}

SquareRequest Decimal(std::string decimal) {
  SquareRequest request;
  request.set_decimal(std::move(decimal));
  return request;
}

TEST_F(SquareServiceTest, SquaresAValue) {
  SquareResponse response;
  ASSERT_TRUE(Square(Value(12), &response).ok());
  EXPECT_EQ(response.square(), "144");
}

TEST_F(SquareServiceTest, ZeroValueIsStillANumber) {
  SquareResponse response;
  ASSERT_TRUE(Square(Value(0), &response).ok());
  EXPECT_EQ(response.square(), "0");
}

TEST_F(SquareServiceTest, SquaresTheMostNegativeInt64Exactly) {
  SquareResponse response;
  ASSERT_TRUE(Square(Value(std::numeric_limits<int64_t>::min()), &response).ok());
  EXPECT_EQ(response.square(), "85070591730234615865843651857942052864");
}

TEST_F(SquareServiceTest, SquaresABigDecimal) {
  SquareResponse response;
  ASSERT_TRUE(Square(Decimal("-123456789012345678901234567890"), &response).ok());
  EXPECT_EQ(response.square(), "15241578753238836750495351562536198787501905199875019052100");
}

TEST_F(SquareServiceTest, SquaresAtTheDigitLimit) {
  SquareResponse response;
  ASSERT_TRUE(Square(Decimal(std::string(4300, '9')), &response).ok());
  EXPECT_EQ(response.square(), std::string(4299, '9') + "8" + std::string(4299, '0') + "1");
}

TEST_F(SquareServiceTest, PastTheDigitLimitIsOutOfRange) {
  SquareResponse response;
  const grpc::Status status = Square(Decimal(std::string(4301, '9')), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_NE(status.error_message().find("4301 significant digits"), std::string::npos)
      << status.error_message();
}

TEST_F(SquareServiceTest, MalformedDecimalIsInvalidArgument) {
  SquareResponse response;
  const grpc::Status status = Square(Decimal("12 34"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("\"12 34\""), std::string::npos);
}

TEST_F(SquareServiceTest, MissingNumberIsInvalidArgument) {
  SquareResponse response;
  const grpc::Status status = Square(SquareRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("no number"), std::string::npos);
}

TEST_F(SquareServiceTest, DigitLimitComesFromTheOptions) {
  server_->Shutdown(absl::ZeroDuration());
  options_.square.max_digits = 5;
  StartServer();
  SquareResponse response;
  EXPECT_TRUE(Square(Decimal("99999"), &response).ok());
  EXPECT_EQ(Square(Decimal("100000"), &response).error_code(), grpc::StatusCode::OUT_OF_RANGE);
}

}  // namespace
}  // namespace sockrpc
