"""tg-bench: which pre-trained model of a zoo should I fine-tune on my dataset?"""

__version__ = "0.1.0"
