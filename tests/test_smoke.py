def test_home_page_lists_an_open_quiz(client, make_quiz, frozen_clock):
    make_quiz(title="Tuần 1 — Tìm hiểu chuyển đổi số")
    response = client.get("/")
    assert response.status_code == 200
    assert "Tuần 1 — Tìm hiểu chuyển đổi số" in response.get_data(as_text=True)
