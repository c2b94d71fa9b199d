"""Daftar Data and the release calendar (jadwal rilis), issue 12.

What each OPD must publish in a year (entries agreed by the Forum Satu Data), the
periods due with their planned, revised and actual release dates, and who changed
what after the year's list was agreed. See README.md, "Daftar Data dan Jadwal Rilis".
"""
