"""Model training (`processing.training`, purpose "model-training"): FL301 when the origin's data
was not obtained for training; a model trained on the data carries it (saving it is collection)."""

import joblib
import tensorflow as tf
import torch
import xgboost
from instagrapi import Client
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader

client = Client()


def scikit_learn(usernames, labels):
    features = [[client.user_info_by_username(name).follower_count] for name in usernames]
    model = LogisticRegression()
    model.fit(features, labels)  # expect: FL301
    joblib.dump(model, "model.joblib")  # expect: FL101
    fitted = make_pipeline(StandardScaler(), LogisticRegression()).fit(features, labels)  # expect: FL301
    joblib.dump(fitted, "pipeline.joblib")  # expect: FL101
    model.predict(features)
    untrained = LogisticRegression()
    joblib.dump(untrained, "untrained.joblib")


def other_frameworks(usernames, labels):
    features = [[client.user_info_by_username(name).follower_count] for name in usernames]
    xgboost.XGBClassifier().fit(features, labels)  # expect: FL301
    network = tf.keras.Sequential()
    network.fit(features, labels)  # expect: FL301
    network.save("network.keras")  # expect: FL101


def pytorch(model: torch.nn.Module, usernames, labels):
    features = torch.tensor([[client.user_info_by_username(name).follower_count] for name in usernames])
    loader = DataLoader(features, batch_size=32)
    criterion = torch.nn.CrossEntropyLoss()
    for batch in loader:
        loss = criterion(model(batch), labels)
        loss.backward()  # expect: FL301
