"""Data layer: price sources, validation, recording."""
