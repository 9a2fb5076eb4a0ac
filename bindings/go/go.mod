module archase

go 1.22
