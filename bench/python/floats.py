"""Float-heavy: a Mandelbrot set by escape time, then points normalised through math calls."""
import math


def mandelbrot(size, limit):
    inside = 0
    for row in range(size):
        ci = 2.0 * row / size - 1.0
        for col in range(size):
            cr = 2.5 * col / size - 2.0
            zr = zi = 0.0
            for _ in range(limit):
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                if zr * zr + zi * zi > 4.0:
                    break
            else:
                inside += 1
    return inside


def normalised_sum(count):
    total = 0.0
    for i in range(count):
        x, y, z = math.sin(i) * 3.0, math.cos(i) * 4.0, i * 0.001
        norm = math.sqrt(x * x + y * y + z * z)
        total += x / norm + y / norm + z / norm
    return total


def run():
    return mandelbrot(150, 80), round(normalised_sum(250_000), 2)
