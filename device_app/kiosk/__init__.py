"""The Kivy kiosk: screens that drive the survey session and station services."""
