"""Question files the bank tests upload or import (written here, not shipped)."""

HEADER = "câu hỏi,loại,phương án A,phương án B,phương án C,đáp án đúng,giải thích,chủ đề,mức độ,nguồn,điểm\n"

GOOD_CSV = (HEADER
            + "Chuyển đổi số là gì?,một đáp án,Dùng công nghệ số thay đổi cách làm việc,Mua máy tính,Lắp wifi,A,,Chuyển đổi số,1,Nghị quyết 57-NQ/TW,1\n"
            + "Mật khẩu mạnh cần gì?,nhiều đáp án,Chữ hoa,Số,Tên mình,\"A, B\",,An toàn thông tin,2,,1\n"
            + "VNeID là ứng dụng định danh điện tử?,đúng/sai,Đúng,Sai,,Đúng,,Kỹ năng số,1,,1\n").encode("utf-8")

# Row 3 names a correct answer (D) that is not among its options.
BAD_CSV = (HEADER
           + "Chuyển đổi số là gì?,một đáp án,Dùng công nghệ số thay đổi cách làm việc,Mua máy tính,Lắp wifi,A,,Chuyển đổi số,1,,1\n"
           + "Mật khẩu mạnh cần gì?,một đáp án,Chữ hoa,Số,Tên mình,D,,An toàn thông tin,2,,1\n").encode("utf-8")

DUPLICATE_CSV = (HEADER
                 + "Chuyển đổi số là gì?,một đáp án,Dùng công nghệ số thay đổi cách làm việc,Mua máy tính,Lắp wifi,A,,Chuyển đổi số,1,,1\n"
                 + "chuyển đổi số là gì,một đáp án,Dùng công nghệ số thay đổi cách làm việc,Mua máy tính,Lắp wifi,A,,Chuyển đổi số,1,,1\n"
                 + "Câu mới hoàn toàn?,một đáp án,Có,Không,,A,,Chung,1,,1\n").encode("utf-8")
