"""textedit: a framework for text-editing models (EdiT5 and friends) on Keras 3 / TensorFlow."""

__version__ = "0.1.0"
