"""Texts of the organiser console, in Vietnamese and English (English falls back to Vietnamese)."""

from __future__ import annotations

from contest.i18n import t

VI: dict[str, str] = {
    "app.name": "Bảng điều khiển cuộc thi",
    "nav.home": "Tổng quan",
    "nav.contests": "Cuộc thi",
    "nav.wizard": "Tạo cuộc thi mới",
    "nav.district": "Tham gia theo đơn vị",
    "nav.banks": "Ngân hàng câu hỏi",
    "nav.units": "Đơn vị",
    "nav.dashboard": "Theo dõi trực tiếp",
    "nav.participants": "Người dự thi",
    "nav.results": "Kết quả",
    "nav.staff": "Cán bộ",
    "nav.audit": "Nhật ký",
    "nav.outbox": "Tin nhắn",
    "outbox.state.pending": "Chờ gửi",
    "outbox.state.sending": "Đang gửi",
    "outbox.state.sent": "Đã gửi",
    "outbox.state.failed": "Không gửi được",
    "nav.logout": "Đăng xuất",
    "nav.totp": "Xác thực hai lớp",
    "role.admin": "Quản trị",
    "role.organiser": "Ban tổ chức",
    "role.unit_officer": "Cán bộ đơn vị",
    "role.viewer": "Người xem",
    "login.title": "Đăng nhập bảng điều khiển",
    "login.username": "Tên đăng nhập",
    "login.password": "Mật khẩu",
    "login.totp": "Mã xác thực (nếu có)",
    "login.submit": "Đăng nhập",
    "common.save": "Lưu",
    "common.upload": "Tải lên",
    "common.download_csv": "Tải CSV",
    "common.none": "Chưa có dữ liệu",
    "common.back": "Quay lại",
    "common.saved": "Đã lưu.",
    "error.title": "Không thực hiện được",
}

EN: dict[str, str] = {
    "app.name": "Contest console",
    "nav.logout": "Log out",
    "nav.outbox": "Messages",
    "outbox.state.pending": "Waiting",
    "outbox.state.sending": "Sending",
    "outbox.state.sent": "Sent",
    "outbox.state.failed": "Failed",
    "login.title": "Console login",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Log in",
}


def text(key: str, locale: str = "vi", **params: object) -> str:
    """The console text for key; error.* keys come from the shared catalogues."""
    table = EN if locale.startswith("en") else VI
    raw = table.get(key) or VI.get(key)
    if raw is None:
        return t(key, locale, **params)
    try:
        return raw.format(**params)
    except (KeyError, IndexError):
        return raw
