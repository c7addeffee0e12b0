"""Metric plumbing shared by applications: image quality (PSNR, SSIM, sharpness) and sample quality."""
