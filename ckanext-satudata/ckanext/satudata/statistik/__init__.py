"""Statistik and Capaian Kinerja (issue 17): download counting, portal figures, indicators."""
