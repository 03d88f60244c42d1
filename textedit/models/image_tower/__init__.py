"""Optional input towers for the T5 encoder: a small ViT over line images, spliced before the text.

    model = T5WithImageTower(T5Config.named("tiny", vocab_size=V), ImageTowerConfig())

`image_tower=None` gives exactly the T5EncoderDecoder (same weights, keys and outputs).
"""

from textedit.models.image_tower.image_splice import splice_image, text_part
from textedit.models.image_tower.image_tower_config import ImageTowerConfig
from textedit.models.image_tower.t5_with_image_tower import IMAGE_FEATURE, T5WithImageTower
from textedit.models.image_tower.vit_image_tower import ViTImageTower

__all__ = ["IMAGE_FEATURE", "ImageTowerConfig", "T5WithImageTower", "ViTImageTower",
           "splice_image", "text_part"]
