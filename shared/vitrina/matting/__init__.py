"""matting: product photo -> cutout with a soft alpha edge and a confidence score."""
