package main

func writeChart(path string, cfg config) error { return nil }
